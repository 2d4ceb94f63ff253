#include "catch.hpp"

#include "http/parser.hpp"
#include "http/serializer.hpp"
#include "raw_client.hpp"

#include <regex>

using namespace webstack;
using webstack::testing::escape_bytes;  // "\r\n" shown as \r\n when a check fails, not as line breaks

TEST_CASE("a response gets a status line and Server and Date and Content-Length", "[serializer]") {
    http::Response response;
    response.status = 404;
    response.headers.add("Content-Type", "text/plain");
    response.body = "nope";
    const auto bytes = http::serialize_response(response, {.server = "test"});
    CHECK(bytes.starts_with("HTTP/1.1 404 Not Found\r\nServer: test\r\nDate: "));
    CHECK(bytes.find("\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nnope") != std::string::npos);
    CHECK(bytes.find("Connection") == std::string::npos);
}

TEST_CASE("a HEAD response keeps Content-Length but sends no body", "[serializer]") {
    http::Response response;
    response.body = "hello";
    const auto bytes = http::serialize_response(response, {.head_request = true});
    CHECK(bytes.find("Content-Length: 5\r\n") != std::string::npos);
    CHECK(bytes.ends_with("\r\n\r\n"));
}

TEST_CASE("204 and 304 get no Content-Length and no body", "[serializer]") {
    for (int status : {204, 304}) {
        http::Response response;
        response.status = status;
        response.body = "ignored";
        const auto bytes = http::serialize_response(response);
        CHECK(bytes.find("Content-Length") == std::string::npos);
        CHECK(bytes.ends_with("\r\n\r\n"));
    }
}

TEST_CASE("a chunked response frames its body in chunks", "[serializer][ex.stage1.chunk]") {
    http::Response response;
    response.headers.add("Transfer-Encoding", "chunked");
    response.body = "Wikipedia";
    response.trailers.add("Checksum", "1");
    const auto bytes = http::serialize_response(response);
    CHECK(bytes.find("Content-Length") == std::string::npos);
    CHECK(escape_bytes(bytes).ends_with(escape_bytes("\r\n\r\n9\r\nWikipedia\r\n0\r\nChecksum: 1\r\n\r\n")));
    CHECK(escape_bytes(http::serialize_chunk("")) == "");
    CHECK(escape_bytes(http::serialize_chunk(std::string(26, 'x')).substr(0, 4)) == escape_bytes("1a\r\n"));
    std::string out = "HEAD\r\n\r\n";  // a proxy appends the body's chunks to the head it writes
    http::append_chunk(out, "Hello World");
    http::append_chunk(out, "");  // nothing: an empty chunk would end the body
    CHECK(escape_bytes(out) == escape_bytes("HEAD\r\n\r\nb\r\nHello World\r\n"));
}

TEST_CASE("one chunk: its size in hex, CRLF, the data, CRLF", "[serializer][ex.stage1.chunk]") {
    std::string out;
    http::append_chunk(out, "Hello World");
    CHECK(escape_bytes(out) == escape_bytes("b\r\nHello World\r\n"));  // 11 bytes: "b" in hex
    out.clear();
    http::append_chunk(out, std::string(255, 'x'));
    CHECK(escape_bytes(out.substr(0, 4)) == escape_bytes("ff\r\n"));
    CHECK(out.size() == 4 + 255 + 2);
    out.clear();
    http::append_chunk(out, std::string(4096, 'x'));
    CHECK(escape_bytes(out.substr(0, 6)) == escape_bytes("1000\r\n"));
    // The data goes as it is, even when it looks like framing: the size says where it ends.
    out = "head";
    http::append_chunk(out, "0\r\n\r\n");
    CHECK(escape_bytes(out) == escape_bytes("head5\r\n0\r\n\r\n\r\n"));
    // Nothing for no data: "0\r\n\r\n" would tell the client the body is over.
    out = "head";
    http::append_chunk(out, "");
    CHECK(escape_bytes(out) == "head");
}

TEST_CASE("a response that ends the connection says Connection: close", "[serializer]") {
    http::Response response;
    response.keep_alive = false;
    CHECK(http::serialize_response(response).find("\r\nConnection: close\r\n") != std::string::npos);
}

TEST_CASE("reason phrases and HTTP dates", "[serializer]") {
    CHECK(http::reason_phrase(200) == "OK");
    CHECK(http::reason_phrase(431) == "Request Header Fields Too Large");
    CHECK(http::reason_phrase(505) == "HTTP Version Not Supported");
    CHECK(http::reason_phrase(299) == "Unknown");
    // 784111777 is the example date of RFC 9110 section 5.6.7.
    CHECK(http::format_http_date(std::chrono::system_clock::from_time_t(784111777)) ==
          "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(std::regex_match(http::http_date_now(),
                           std::regex(R"([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)")));
}

TEST_CASE("a serialized request parses back to the same request", "[serializer]") {
    http::Request request;
    request.method = "POST";
    request.target = "/submit?x=1";
    request.headers.add("Host", "example.com");
    request.headers.add("X-Repeat", "a");
    request.headers.add("X-Repeat", "b");
    request.body = "payload";
    const auto bytes = http::serialize_request(request);
    http::RequestParser parser;
    CHECK(parser.feed(bytes) == bytes.size());
    REQUIRE(parser.message_complete());
    const auto parsed = parser.take_request();
    CHECK(parsed.method == "POST");
    CHECK(parsed.target == "/submit?x=1");
    CHECK(parsed.headers.count("x-repeat") == 2);
    CHECK(parsed.body == "payload");
}

TEST_CASE("a serialized chunked response parses back", "[serializer]") {
    http::Response response;
    response.status = 201;
    response.headers.add("Transfer-Encoding", "chunked");
    response.body = "streamed";
    const auto bytes = http::serialize_response(response);
    http::ResponseParser parser;
    CHECK(parser.feed(bytes) == bytes.size());
    REQUIRE(parser.message_complete());
    const auto parsed = parser.take_response();
    CHECK(parsed.status == 201);
    CHECK(parsed.reason == "Created");
    CHECK(parsed.body == "streamed");
}
