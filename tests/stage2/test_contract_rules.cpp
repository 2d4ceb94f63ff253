// start_response()'s rules, enforced by the server, and everything the
// validator middleware catches on top.
#include "catch.hpp"
#include "stage2_server.hpp"

using namespace webstack::testing;

namespace {
// Requests / from `app`; returns the response (or nothing) and leaves the
// server running so its log can be checked.
std::optional<webstack::http::Response> ask(ServerProcess& server, std::string* transcript = nullptr) {
    RawClient client(server.port());
    auto response = client.exchange(get("/"), 3s);
    if (transcript) *transcript = client.transcript();
    return response;
}
}  // namespace

TEST_CASE("the server refuses apps that break start_response's rules", "[stage2]") {
    const auto [app, log_line] = GENERATE(table<std::string, std::string>({
        {"broken:wrong_status", R"(status "200" is not of the form "NNN Reason")"},
        {"broken:hop_by_hop", R"("Connection" is a hop-by-hop header)"},
        {"broken:start_response_twice", R"(start_response\(\) called a second time without exc_info)"},
        {"broken:no_start_response", R"(the body started before start_response\(\) was called)"},
        {"broken:header_injection", R"(header "Content-Type" has a line break in its value)"},
    }));
    auto server = start_stage2(app);
    std::string transcript;
    const auto response = ask(*server, &transcript);
    INFO(app << "\n" << transcript);
    REQUIRE(response);
    CHECK(response->status == 500);
    CHECK(transcript.find("never sent") == std::string::npos);
    CHECK(server->wait_for_output("ContractError: " + log_line));
}

TEST_CASE("a second start_response with exc_info replaces the first before the body", "[stage2]") {
    auto server = start_stage2("testing:exc_info_recovery");
    const auto response = ask(*server);
    REQUIRE(response);
    CHECK(response->status == 503);
    CHECK(response->body == "try again later\n");
}

TEST_CASE("the legacy write() callable sends the body", "[stage2]") {
    auto server = start_stage2("testing:legacy_write");
    const auto response = ask(*server);
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body == "written with write()\n");
}

TEST_CASE("start_response may be called from inside the body generator", "[stage2]") {
    for (std::vector<std::string> extra : {std::vector<std::string>{}, std::vector<std::string>{"--validate"}}) {
        auto server = start_stage2("testing:lazy_start_response", extra);
        const auto response = ask(*server);
        INFO(server->output());
        REQUIRE(response);
        CHECK(response->status == 200);
        CHECK(response->body == "started late\n");
    }
}

TEST_CASE("the validator catches every broken app", "[stage2][validator]") {
    const auto [app, complaint] = GENERATE(table<std::string, std::string>({
        {"broken:wrong_status", R"(validator: status "200")"},
        {"broken:hop_by_hop", R"(validator: "Connection" is a hop-by-hop header)"},
        {"broken:start_response_twice", R"(validator: start_response\(\) called twice)"},
        {"broken:no_start_response", R"(validator: the body produced a chunk before start_response)"},
        {"broken:content_length_too_long", R"(validator: the body is shorter than its Content-Length \(10 < 100\))"},
        {"broken:content_length_too_short", R"(validator: the body is longer than its Content-Length \(21 > 5\))"},
        {"broken:status_header", R"(validator: "Status" is not a header)"},
        {"broken:header_injection", R"(validator: header "Content-Type" has control characters)"},
    }));
    auto server = start_stage2(app, {"--validate"});
    ask(*server);
    INFO(server->output());
    CHECK(server->wait_for_output(complaint));
}

// PEP 3333 asks the server to close() the body the app returned; an app
// that raised returned none, and the server is not to blame.
TEST_CASE("the validator does not ask for close() of a body an app never returned", "[stage2][validator]") {
    const auto app = GENERATE(as<std::string>{}, "broken:wrong_status", "broken:start_response_twice",
                              "broken:throws_before_headers", "broken:header_injection");
    auto server = start_stage2(app, {"--validate"});
    ask(*server);
    REQUIRE(server->wait_for_output(R"("GET / HTTP/1.1" 500 \d+)"));
    INFO(app << "\n" << server->output());
    CHECK(server->output().find("never called close()") == std::string::npos);
}

TEST_CASE("the validator passes good apps untouched", "[stage2][validator]") {
    const auto app = GENERATE(as<std::string>{}, "hello_world:process_http_request", "environ:application",
                              "lifecycle:application", "testing:stream", "testing:legacy_write",
                              "testing:exc_info_recovery", "testing:no_content");
    auto server = start_stage2(app, {"--validate"});
    std::string transcript;
    const auto response = ask(*server, &transcript);
    INFO(app << "\n" << transcript << "\n" << server->output());
    REQUIRE(response);
    CHECK(response->status != 500);
    // The validator's close() check runs when the body is destroyed: after the log line.
    REQUIRE(server->wait_for_output(R"("GET / HTTP/1.1" \d+ \d+)"));
    CHECK(server->output().find("validator:") == std::string::npos);
}
