// Replays the raw-request corpus (tests/corpus/, see support/corpus.hpp)
// against stages 1, 3, 4 and 5, each started once, one connection per
// request. The expectations were written from the RFCs and from what
// nginx, Gunicorn and http.server do (tests/corpus/replay-real replays the
// same files against them); never from our own output.
#include "catch.hpp"
#include "corpus.hpp"
#include "scripted_upstream.hpp"
#include "stage1_server.hpp"
#include "stage3_server.hpp"
#include "stage5_server.hpp"

#include <functional>
#include <iostream>
#include <thread>

using namespace webstack::testing;

namespace {

const auto corpus_root = std::filesystem::path(WEBSTACK_SOURCE_DIR) / "tests/corpus";

// What a server did with one request: the first response's status, or 0
// when it answered nothing (closed, or silent for a second and a half).
int first_status(int port, const std::string& bytes) {
    auto client = RawClient::try_connect(port);
    if (!client) return -1;
    const auto response = client->exchange(bytes, 1500ms);
    return response ? response->status : 0;
}

std::string describe(int status) { return status == 0 ? "no answer" : std::to_string(status); }

// Checks every case that has an expectation for `stage` (or, where the file
// records a known difference, that difference); `forwarded`, when given,
// counts the requests that reached the upstream so far.
void replay(const std::string& stage, int port, const std::function<int()>& forwarded = {}) {
    const auto cases = read_corpus(corpus_root);
    REQUIRE(cases.size() >= 150);
    int checked = 0, differences = 0;
    for (const auto& item : cases) {
        const auto found = item.expected.find(stage);
        if (found == item.expected.end()) continue;
        const auto known = item.ours.find(stage);
        if (known != item.ours.end()) ++differences;
        const auto& expected = known != item.ours.end() ? known->second : found->second;
        const int before = forwarded ? forwarded() : 0;
        const int status = first_status(port, item.bytes);
        std::string sources;
        for (const auto& source : item.sources) sources += "\n  source: " + source;
        INFO(item.name << ": " << item.what << sources
                       << (known != item.ours.end() ? "\n  a known difference from the reference: " + known->second.why : ""));
        CHECK(describe(status) == describe(expected.status.value_or(0)));
        if (forwarded && expected.forwarded) {
            std::this_thread::sleep_for(50ms);  // let the upstream log what it got
            CHECK(forwarded() - before == *expected.forwarded);
        }
        ++checked;
    }
    CHECK(checked > 0);
    std::cout << stage << ": " << checked << " requests, " << checked - differences << " answered as the reference, "
              << differences << " known differences" << std::endl;
}

}  // namespace

TEST_CASE("the corpus files are well formed, cite a source and expect something of every stage", "[corpus]") {
    const auto cases = read_corpus(corpus_root);
    CHECK(cases.size() >= 150);
    for (const auto& item : cases) {
        INFO(item.name);
        CHECK_FALSE(item.what.empty());
        CHECK_FALSE(item.bytes.empty());
        CHECK(item.expected.size() == 4);
        for (const auto& [stage, difference] : item.ours) {
            CHECK(item.expected.contains(stage));
            CHECK_FALSE(difference.why.empty());  // a known difference says why
        }
    }
    CHECK(decode_corpus_bytes("a\\r\\n\nb\\x41\\{3:z}\\\\") == "a\r\nbAzzz\\");
}

TEST_CASE("stage 1 answers the corpus as runserver would", "[corpus]") {
    auto server = start_stage1();
    replay("stage1", server->port());
}

TEST_CASE("stage 3 answers the corpus as Gunicorn 23 would", "[corpus]") {
    auto server = start_stage3("hello_world:process_http_request");
    replay("stage3", server->port());
}

TEST_CASE("stage 4 answers the corpus as nginx would, and forwards only what nginx forwards", "[corpus]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("ok"));
    auto proxy = start_stage4(proxy_site(upstream.port()));
    replay("stage4", proxy->port, [&upstream] { return static_cast<int>(upstream.requests().size()); });
}

TEST_CASE("stage 5 answers the corpus as nginx would", "[corpus]") {
    auto server = prepare_stage5();
    server->folder.write("site/index.html", "<p>index</p>\n");
    start(*server, site("root $SITE;"));
    replay("stage5", server->port);
}
