#include "catch.hpp"
#include "parse_helpers.hpp"

#include <string>

using namespace webstack;
using webstack::testing::parse_requests;

TEST_CASE("a simple GET", "[request-parser]") {
    const auto result = parse_requests("GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n");
    REQUIRE_FALSE(result.error);
    REQUIRE(result.requests.size() == 1);
    const auto& request = result.requests[0];
    CHECK(request.method == "GET");
    CHECK(request.target == "/index.html?x=1");
    CHECK(request.version == http::Version{1, 1});
    CHECK(request.headers.get("host") == "example.com");
    CHECK(request.body.empty());
    CHECK(request.keep_alive);
}

TEST_CASE("valid request forms", "[request-parser]") {
    const auto [bytes, method, target] = GENERATE(table<std::string, std::string, std::string>({
        {"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS", "*"},
        {"GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n", "GET", "http://example.com/a?b"},
        {"DELETE /item/7 HTTP/1.1\r\nHost: a\r\n\r\n", "DELETE", "/item/7"},
        {"GET / HTTP/1.0\r\n\r\n", "GET", "/"},  // HTTP/1.0 needs no Host
        {"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/"},  // a stray CRLF before a request is allowed
        {"PATCH /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", "PATCH", "/x"},
        {"GET /%7Euser/a%20b HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/%7Euser/a%20b"},
        {"GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", "GET", "/"},
    }));
    const auto result = parse_requests(bytes);
    INFO(bytes);
    REQUIRE_FALSE(result.error);
    REQUIRE(result.requests.size() == 1);
    CHECK(result.requests[0].method == method);
    CHECK(result.requests[0].target == target);
}

TEST_CASE("repeated headers stay in order and values are trimmed", "[request-parser]") {
    const auto result = parse_requests(
        "GET / HTTP/1.1\r\nHost: a\r\nAccept: text/html  \r\nX-Empty:\r\naccept:   application/json\r\n\r\n");
    REQUIRE(result.requests.size() == 1);
    const auto& headers = result.requests[0].headers;
    REQUIRE(headers.size() == 4);
    CHECK(headers.get_combined("Accept") == "text/html, application/json");
    CHECK(headers.get("X-Empty") == "");
}

TEST_CASE("keep-alive follows the version and the Connection header", "[request-parser]") {
    const auto [bytes, keep_alive] = GENERATE(table<std::string, bool>({
        {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false},
        {"GET / HTTP/1.0\r\n\r\n", false},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", false},
    }));
    INFO(bytes);
    const auto result = parse_requests(bytes);
    REQUIRE(result.requests.size() == 1);
    CHECK(result.requests[0].keep_alive == keep_alive);
}

TEST_CASE("a body framed by Content-Length", "[request-parser]") {
    const auto result = parse_requests("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello=world");
    REQUIRE(result.requests.size() == 1);
    CHECK(result.requests[0].body == "hello=world");
}

TEST_CASE("a chunked body with extensions and trailers", "[request-parser]") {
    const auto result = parse_requests(
        "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=value\r\nhello\r\n"
        "6\r\n world\r\n"
        "A;quoted=\"a value\"\r\n0123456789\r\n"
        "0\r\nChecksum: abc\r\nX-Other: 1\r\n\r\n");
    REQUIRE_FALSE(result.error);
    REQUIRE(result.requests.size() == 1);
    const auto& request = result.requests[0];
    CHECK(request.body == "hello world0123456789");
    CHECK(request.trailers.size() == 2);
    CHECK(request.trailers.get("checksum") == "abc");
    CHECK_FALSE(request.headers.contains("Checksum"));
}

TEST_CASE("the body can be streamed instead of collected", "[request-parser]") {
    http::RequestParser parser;
    std::string streamed;
    int pieces = 0;
    parser.stream_body_to([&](std::string_view piece) {
        streamed += piece;
        ++pieces;
    });
    const std::string head = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n";
    CHECK(parser.feed(head) == head.size());
    CHECK(parser.headers_complete());
    CHECK_FALSE(parser.message_complete());
    parser.feed("01234");
    parser.feed("56789");
    REQUIRE(parser.message_complete());
    CHECK(streamed == "0123456789");
    CHECK(pieces == 2);
    CHECK(parser.take_request().body.empty());
}

TEST_CASE("the head is readable before the body arrives (for Expect: 100-continue)", "[request-parser]") {
    http::RequestParser parser;
    parser.feed("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
    REQUIRE(parser.headers_complete());
    REQUIRE_FALSE(parser.message_complete());
    CHECK(parser.current().headers.has_token("Expect", "100-continue"));
    parser.feed("abc");
    REQUIRE(parser.message_complete());
    CHECK(parser.take_request().body == "abc");
}

TEST_CASE("take_head moves the head out and the parser goes on with the body", "[request-parser]") {
    http::RequestParser parser;
    std::string streamed;
    parser.stream_body_to([&](std::string_view piece) { streamed.append(piece); });
    parser.feed("POST /upload?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n");
    REQUIRE(parser.headers_complete());
    const auto head = parser.take_head();
    CHECK(head.method == "POST");
    CHECK(head.target == "/upload?x=1");
    CHECK(head.headers.get("Content-Length") == "3");
    CHECK(head.keep_alive);
    parser.feed("abc");
    REQUIRE(parser.message_complete());
    CHECK(streamed == "abc");
    parser.next_request();  // what the proxy does: nothing is left to take
    CHECK_FALSE(parser.headers_complete());
    CHECK_FALSE(parser.message_complete());
    CHECK_FALSE(parser.in_progress());
    parser.feed("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    REQUIRE(parser.message_complete());
    const auto next = parser.take_head();
    CHECK(next.method == "GET");
    CHECK(next.target == "/next");
    CHECK(next.headers.size() == 1);
}

TEST_CASE("feeding stops at the end of a message and leaves the next one's bytes", "[request-parser]") {
    http::RequestParser parser;
    const std::string first = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n";
    const std::string bytes = first + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
    CHECK(parser.feed(bytes) == first.size());
    CHECK(parser.message_complete());
    CHECK(parser.feed(bytes.substr(first.size())) == 0);  // waits until the first is taken
    CHECK(parser.take_request().target == "/1");
    CHECK(parser.feed(bytes.substr(first.size())) == bytes.size() - first.size());
    CHECK(parser.take_request().target == "/2");
}

// Three pipelined requests, one of each framing, must parse the same
// however TCP splits them: at every byte boundary, and byte by byte.
TEST_CASE("pipelined requests parse the same at every split", "[request-parser]") {
    const std::string bytes =
        "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n"
        "PUT /b HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nwxyz"
        "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    const auto check = [](const webstack::testing::ParsedRequests& result) {
        REQUIRE_FALSE(result.error);
        REQUIRE(result.requests.size() == 3);
        CHECK(result.requests[0].target == "/a");
        CHECK(result.requests[0].body == "abc");
        CHECK(result.requests[0].trailers.get("T") == "1");
        CHECK(result.requests[1].body == "wxyz");
        CHECK(result.requests[2].target == "/c");
        CHECK_FALSE(result.requests[2].keep_alive);
    };
    for (std::size_t split = 0; split <= bytes.size(); ++split) {
        INFO("split at byte " << split);
        const std::string_view view = bytes;
        check(parse_requests({view.substr(0, split), view.substr(split)}));
    }
    std::vector<std::string_view> single_bytes;
    for (std::size_t i = 0; i < bytes.size(); ++i) single_bytes.push_back(std::string_view(bytes).substr(i, 1));
    check(parse_requests(single_bytes));
}

TEST_CASE("each limit gives its own kind of error", "[request-parser][limits]") {
    http::ParserLimits limits{.max_request_line = 100, .max_header_count = 5, .max_header_field_size = 50,
                              .max_body_size = 10};
    using Kind = http::ParseErrorKind;
    const auto [bytes, kind] = GENERATE_COPY(table<std::string, Kind>({
        {"GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", Kind::RequestLineTooLong},
        {"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n", Kind::HeaderFieldsTooLarge},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(60, 'v') + "\r\n\r\n", Kind::HeaderFieldsTooLarge},
        {"GET / HTTP/1.1\r\nHost: a\r\n" + std::string(60, 'N') + ": v\r\n\r\n", Kind::HeaderFieldsTooLarge},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", Kind::BodyTooLarge},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n",
         Kind::BodyTooLarge},
    }));
    INFO(bytes);
    const auto result = parse_requests(bytes, limits);
    REQUIRE(result.error);
    CHECK(result.error->kind == kind);
    CHECK_FALSE(result.error->reason.empty());
}

TEST_CASE("limits are not off by one", "[request-parser][limits]") {
    http::ParserLimits limits{.max_request_line = 100, .max_header_count = 2, .max_header_field_size = 50,
                              .max_body_size = 10};
    // Exactly at each limit: accepted.
    const auto result = parse_requests(
        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", limits);
    CHECK_FALSE(result.error);
    CHECK(result.requests.size() == 1);
}

TEST_CASE("a close in the middle of a request is an error but not between requests", "[request-parser]") {
    http::RequestParser parser;
    parser.finish();
    CHECK_FALSE(parser.error());
    parser.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab");
    CHECK(parser.in_progress());
    parser.finish();
    REQUIRE(parser.error());
    CHECK(parser.error()->kind == http::ParseErrorKind::Malformed);
}
