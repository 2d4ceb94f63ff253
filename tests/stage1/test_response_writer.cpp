// The ResponseWriter in-process, with a sink that records each write: how
// many writes a response takes is what Nagle's algorithm punishes.
#include "catch.hpp"
#include "response_writer.hpp"

#include <string>
#include <vector>

using webstack::stage1::ResponseWriter;
namespace http = webstack::http;

namespace {
struct RecordedWrites {
    std::vector<std::string> writes;
    ResponseWriter::Sink sink() {
        return [this](std::string_view bytes) {
            writes.emplace_back(bytes);
            return true;
        };
    }
};

http::Request request(std::string method = "GET", http::Version version = {1, 1}) {
    http::Request result;
    result.method = std::move(method);
    result.target = "/";
    result.version = version;
    return result;
}

http::Response ok(std::string body = "") {
    http::Response response;
    response.status = 200;
    response.body = std::move(body);
    return response;
}
}  // namespace

TEST_CASE("a whole response is one write: head and body together", "[stage1][ex.stage1.framing]") {
    RecordedWrites recorded;
    const auto get = request();
    ResponseWriter writer(recorded.sink(), get, "test");
    writer.send(ok("hello"));
    REQUIRE(recorded.writes.size() == 1);
    CHECK(recorded.writes[0].starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(recorded.writes[0].find("Content-Length: 5\r\n") != std::string::npos);
    CHECK(recorded.writes[0].ends_with("\r\n\r\nhello"));
    CHECK(writer.keep_alive());
}

TEST_CASE("a streamed body: the head waits for the first bytes and leaves with them", "[stage1][ex.stage1.framing]") {
    RecordedWrites recorded;
    const auto get = request();
    ResponseWriter writer(recorded.sink(), get, "test");
    writer.start(ok());
    CHECK(recorded.writes.empty());  // nothing yet: the head waits
    writer.write("");
    CHECK(recorded.writes.empty());  // an empty piece is no reason to send
    writer.write("first");
    writer.write("second");
    writer.finish();
    REQUIRE(recorded.writes.size() == 3);
    CHECK(recorded.writes[0].find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    CHECK(recorded.writes[0].ends_with("\r\n\r\n5\r\nfirst\r\n"));
    CHECK(recorded.writes[1] == "6\r\nsecond\r\n");
    CHECK(recorded.writes[2] == "0\r\n\r\n");
}

TEST_CASE("a response without a body is its head, in one write, when it finishes", "[stage1][ex.stage1.framing]") {
    for (const auto& [method, status] : {std::pair<std::string, int>{"HEAD", 200}, {"GET", 204}, {"GET", 304}}) {
        RecordedWrites recorded;
        const auto asked = request(method);
        ResponseWriter writer(recorded.sink(), asked, "test");
        auto head = ok();
        head.status = status;
        head.headers.add("Content-Length", "5");
        writer.start(head);
        writer.write("hello");  // dropped: no body for these
        writer.finish();
        INFO(method << " " << status);
        REQUIRE(recorded.writes.size() == 1);
        CHECK(recorded.writes[0].ends_with("\r\n\r\n"));
        CHECK(writer.body_bytes() == 0);
    }
}

TEST_CASE("a body shorter than its Content-Length is sent, then the connection must close", "[stage1][ex.stage1.framing]") {
    RecordedWrites recorded;
    const auto get = request();
    ResponseWriter writer(recorded.sink(), get, "test");
    auto head = ok();
    head.headers.add("Content-Length", "10");
    writer.start(head);
    writer.write("12345678901234");  // more than promised: cut at 10
    CHECK(writer.body_bytes() == 10);
    writer.finish();
    CHECK(writer.keep_alive());

    RecordedWrites short_body;
    ResponseWriter too_short(short_body.sink(), get, "test");
    too_short.start(head);
    too_short.write("1234");
    too_short.finish();
    REQUIRE(short_body.writes.size() == 1);
    CHECK(short_body.writes[0].ends_with("\r\n\r\n1234"));
    CHECK_FALSE(too_short.keep_alive());
}

TEST_CASE("after a failed write nothing more is sent", "[stage1]") {
    int calls = 0;
    const auto get = request();
    ResponseWriter writer([&calls](std::string_view) { return ++calls, false; }, get, "test");
    writer.start(ok());
    writer.write("a");
    writer.write("b");
    writer.finish();
    CHECK(calls == 1);
    CHECK(writer.failed());
    CHECK_FALSE(writer.keep_alive());
}

namespace {
// A file sink that records what it was asked to send.
struct RecordedFiles {
    std::vector<std::string> sends;
    ResponseWriter::FileSink sink(RecordedWrites& writes) {
        return [this, &writes](int fd, std::int64_t offset, std::size_t count) {
            sends.push_back(std::to_string(fd) + "@" + std::to_string(offset) + "+" + std::to_string(count));
            writes.writes.emplace_back("<file>");
            return true;
        };
    }
};
}  // namespace

TEST_CASE("a file body goes through the file sink, framed as any body", "[stage1]") {
    RecordedWrites recorded;
    RecordedFiles files;
    SECTION("chunked: the size line with the head, the file, the CRLF with the last chunk") {
        const auto get = request();
        ResponseWriter writer(recorded.sink(), get, "test", true, files.sink(recorded));
        REQUIRE(writer.can_send_file());
        writer.start(ok());
        writer.send_file(7, 100, 4096);
        writer.finish();
        REQUIRE(recorded.writes.size() == 3);
        CHECK(recorded.writes[0].ends_with("Transfer-Encoding: chunked\r\n\r\n1000\r\n"));
        CHECK(recorded.writes[1] == "<file>");
        CHECK(recorded.writes[2] == "\r\n0\r\n\r\n");
        CHECK(files.sends == std::vector<std::string>{"7@100+4096"});
        CHECK(writer.body_bytes() == 4096);
    }
    SECTION("Content-Length: never more than the head promised") {
        const auto get = request();
        ResponseWriter writer(recorded.sink(), get, "test", true, files.sink(recorded));
        auto head = ok();
        head.headers.add("Content-Length", "10");
        writer.start(head);
        writer.send_file(3, 0, 4096);
        writer.finish();
        CHECK(files.sends == std::vector<std::string>{"3@0+10"});
        CHECK(!writer.failed());
    }
    SECTION("HEAD: no body, no file") {
        const auto head_request = request("HEAD");
        ResponseWriter writer(recorded.sink(), head_request, "test", true, files.sink(recorded));
        writer.start(ok());
        writer.send_file(3, 0, 4096);
        writer.finish();
        CHECK(files.sends.empty());
    }
    SECTION("without a file sink, a writer cannot send files") {
        const auto get = request();
        ResponseWriter writer(recorded.sink(), get, "test");
        CHECK_FALSE(writer.can_send_file());
    }
}
