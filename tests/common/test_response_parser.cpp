#include "catch.hpp"

#include "http/parser.hpp"

using namespace webstack;

namespace {
// Feeds all of `bytes`; returns the responses and how the parser ended.
std::vector<http::Response> parse_responses(http::ResponseParser& parser, std::string_view bytes, bool eof = false) {
    std::vector<http::Response> responses;
    while (!bytes.empty() && !parser.error()) {
        bytes.remove_prefix(parser.feed(bytes));
        if (parser.message_complete()) responses.push_back(parser.take_response());
    }
    if (eof) {
        parser.finish();
        if (parser.message_complete()) responses.push_back(parser.take_response());
    }
    return responses;
}
}  // namespace

TEST_CASE("a response with Content-Length", "[response-parser]") {
    http::ResponseParser parser;
    const auto responses = parse_responses(parser, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhello");
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].status == 200);
    CHECK(responses[0].reason == "OK");
    CHECK(responses[0].body == "hello");
    CHECK(responses[0].headers.get("x") == "y");
}

TEST_CASE("a response to HEAD has no body whatever Content-Length says", "[response-parser]") {
    http::ResponseParser parser;
    parser.expect_response_to("HEAD");
    const auto responses = parse_responses(
        parser, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].headers.get("Content-Length") == "1234");
    CHECK(responses[0].body.empty());
    CHECK(responses[1].status == 404);
}

TEST_CASE("204 and 304 and 1xx responses have no body", "[response-parser]") {
    http::ResponseParser parser;
    const auto responses = parse_responses(parser,
                                           "HTTP/1.1 100 Continue\r\n\r\n"
                                           "HTTP/1.1 204 No Content\r\n\r\n"
                                           "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
                                           "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    REQUIRE(responses.size() == 4);
    CHECK(responses[0].status == 100);
    CHECK(responses[1].status == 204);
    CHECK(responses[2].body.empty());
    CHECK(responses[3].body == "ok");
}

TEST_CASE("a chunked response with trailers", "[response-parser]") {
    http::ResponseParser parser;
    const auto responses = parse_responses(
        parser, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\nEtag: x\r\n\r\n");
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body == "Wikipedia");
    CHECK(responses[0].trailers.get("ETag") == "x");
}

TEST_CASE("a body delimited by the connection closing", "[response-parser]") {
    http::ResponseParser parser;
    auto responses = parse_responses(parser, "HTTP/1.0 200 OK\r\n\r\nall of this");
    CHECK(responses.empty());
    responses = parse_responses(parser, "", true);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body == "all of this");
    CHECK(responses[0].version == http::Version{1, 0});
}

TEST_CASE("a response cut short by the close is an error", "[response-parser]") {
    http::ResponseParser parser;
    parse_responses(parser, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true);
    REQUIRE(parser.error());
}

TEST_CASE("a malformed status line is an error", "[response-parser]") {
    http::ResponseParser parser;
    parse_responses(parser, "HTTP/1.1 2OO OK\r\n\r\n");
    REQUIRE(parser.error());
    CHECK(parser.error()->kind == http::ParseErrorKind::Malformed);
}

TEST_CASE("a response head with bare LF line ends, read as nginx reads an upstream's", "[response-parser]") {
    const std::string_view lf_only = "HTTP/1.1 200 OK\nConnection: close\nX-Header: foo\n\nbody\r\nand more";
    SECTION("refused by default") {
        http::ResponseParser parser;
        (void)parse_responses(parser, lf_only);
        CHECK(parser.error());
    }
    SECTION("read with line_ends CrlfOrLf, one byte at a time too") {
        for (const std::size_t piece : {lf_only.size(), std::size_t{1}}) {
            http::ParserLimits limits;
            limits.line_ends = http::LineEnds::CrlfOrLf;
            http::ResponseParser parser(limits);
            std::vector<http::Response> responses;
            for (std::size_t at = 0; at < lf_only.size() && !parser.error(); at += piece)
                for (auto more = lf_only.substr(at, piece); !more.empty() && !parser.error();)
                    more.remove_prefix(parser.feed(more));
            parser.finish();
            INFO("fed " << piece << " bytes at a time");
            REQUIRE_FALSE(parser.error());
            REQUIRE(parser.message_complete());
            const auto response = parser.take_response();
            CHECK(response.headers.get("X-Header") == "foo");
            CHECK(response.body == "body\r\nand more");  // the body is bytes: its line ends stay as sent
        }
    }
}
