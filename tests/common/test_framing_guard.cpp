// The framing checks made before llhttp sees a request's bytes
// (common/http/framing_guard.hpp, request_feed.cpp): bare CR and LF in the
// head, per line-ending policy; chunk-size lines with extensions; the CRLF
// after each chunk's data. Every request is parsed twice: whole, and one
// byte per feed(), because a check that works only on whole requests is
// no check against a client that sends slowly.
#include "catch.hpp"
#include "parse_helpers.hpp"

#include <string>
#include <vector>

using namespace webstack;
using http::LineEnds;

namespace {

http::ParserLimits policy(LineEnds line_ends) {
    http::ParserLimits limits;
    limits.line_ends = line_ends;
    return limits;
}

testing::ParsedRequests one_byte_at_a_time(const std::string& bytes, http::ParserLimits limits) {
    std::vector<std::string_view> pieces;
    for (std::size_t i = 0; i < bytes.size(); ++i) pieces.emplace_back(bytes.data() + i, 1);
    return testing::parse_requests(pieces, limits);
}

// "ok" when the bytes are one request (with `body`), else the error's reason.
std::string outcome(const testing::ParsedRequests& parsed, const std::string& body) {
    if (parsed.error) return "error: " + parsed.error->reason;
    if (parsed.requests.size() != 1) return "requests: " + std::to_string(parsed.requests.size());
    if (parsed.requests.front().body != body) return "body: " + parsed.requests.front().body;
    return "ok";
}

void check_both_ways(const std::string& bytes, LineEnds line_ends, bool valid, const std::string& body = "") {
    INFO((line_ends == LineEnds::CrlfOnly ? "CRLF only" : "CRLF or LF") << "\n" << bytes);
    const auto whole = outcome(testing::parse_requests(bytes, policy(line_ends)), body);
    const auto bytewise = outcome(one_byte_at_a_time(bytes, policy(line_ends)), body);
    if (valid) {
        CHECK(whole == "ok");
        CHECK(bytewise == "ok");
    } else {
        CHECK(whole.starts_with("error: "));
        CHECK(bytewise.starts_with("error: "));
    }
}

const std::string chunked_head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

}  // namespace

TEST_CASE("find_line_end_problem finds bare CR and bare LF", "[framing-guard]") {
    using Kind = http::LineEndProblem::Kind;
    CHECK_FALSE(http::find_line_end_problem("GET / HTTP/1.1\r\nHost: a\r\n\r\n", '\0'));
    CHECK(http::find_line_end_problem("a\rb", '\0')->position == 1);
    CHECK(http::find_line_end_problem("a\rb", '\0')->kind == Kind::BareCr);
    CHECK(http::find_line_end_problem("a\nb", '\0')->kind == Kind::BareLf);
    CHECK(http::find_line_end_problem("\nb", '\0')->position == 0);
    CHECK_FALSE(http::find_line_end_problem("\nb", '\r'));          // the CR came in the previous read
    CHECK_FALSE(http::find_line_end_problem("ab\r", '\0'));          // not judged until the next byte
}

TEST_CASE("a CR not followed by LF is refused in every part of the head, whatever the policy",
          "[framing-guard][bare-cr]") {
    const auto [where, bytes] = GENERATE(table<std::string, std::string>({
        {"in the method", "GE\rT / HTTP/1.1\r\nHost: a\r\n\r\n"},
        {"in the target", "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n"},
        {"ending the request line", "GET / HTTP/1.1\rHost: a\r\n\r\n"},
        {"in a field name", "GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n"},
        {"in a field value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"},
        {"ending a field", "GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n"},
        {"between fields", "GET / HTTP/1.1\r\nHost: a\r\n\rX: y\r\n\r\n"},
        {"at the end (CR LF CR then a byte)", "GET / HTTP/1.1\r\nHost: a\r\n\rX"},
        {"twice at the end", "GET / HTTP/1.1\r\nHost: a\r\n\r\rGET / HTTP/1.1\r\nHost: b\r\n\r\n"},
        {"in the trailers", chunked_head + "0\r\nT: 1\r2\r\n\r\n"},
        {"ending the trailers", chunked_head + "0\r\n\rX"},
    }));
    INFO(where);
    check_both_ways(bytes, LineEnds::CrlfOnly, false);
    check_both_ways(bytes, LineEnds::CrlfOrLf, false);
}

TEST_CASE("a bare LF ends a line only where the policy says so", "[framing-guard][bare-lf]") {
    const auto [where, bytes, body] = GENERATE(table<std::string, std::string, std::string>({
        {"every line", "GET / HTTP/1.1\nHost: a\nX: y\n\n", ""},
        {"the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", ""},
        {"a field", "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", ""},
        {"the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\n", ""},
        {"a chunked body's lines", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\n", "hello"},
        {"a chunk-size line", chunked_head + "5\nhello\r\n0\r\n\r\n", "hello"},
        {"after a chunk's data", chunked_head + "5\r\nhello\n0\r\n\r\n", "hello"},
        {"a trailer", chunked_head + "0\r\nT: 1\n\r\n", ""},
    }));
    INFO(where);
    check_both_ways(bytes, LineEnds::CrlfOnly, false);
    check_both_ways(bytes, LineEnds::CrlfOrLf, true, body);
}

TEST_CASE("a bare LF is not an obs-fold loophole", "[framing-guard][bare-lf]") {
    check_both_ways("GET / HTTP/1.1\nHost: a\nX: a\n b\n\n", LineEnds::CrlfOrLf, false);
}

TEST_CASE("chunk extensions are accepted as RFC 9112 section 7.1.1 writes them", "[framing-guard][chunk-ext]") {
    const auto [what, size_line] = GENERATE(table<std::string, std::string>({
        {"a name", "5;a"},
        {"a name and a value", "5;a=b"},
        {"a quoted value", "5;a=\"x y\""},
        {"a quoted value with an escaped quote", "5;a=\"x\\\"y\""},
        {"several", "5;a=b;c;d=\"e\""},
        {"a value, then a name alone (llhttp 8.1 refuses this one)", "5;a=b;c"},
        {"blanks before the semicolon", "5 ;a"},
        {"blanks around everything", "5 ; a = b ;\tc = \"d\""},
        {"blanks before the line end (nginx and Gunicorn accept them)", "5 "},
        {"upper-case hex with leading zeros", "0005"},
    }));
    INFO(what);
    const auto bytes = chunked_head + size_line + "\r\nhello\r\n0;last=1\r\n\r\n";
    check_both_ways(bytes, LineEnds::CrlfOnly, true, "hello");
    check_both_ways(bytes, LineEnds::CrlfOrLf, true, "hello");
}

TEST_CASE("bad chunk-size lines and chunk data of the wrong length are refused", "[framing-guard][chunk-ext]") {
    const auto [what, chunks] = GENERATE(table<std::string, std::string>({
        {"digits after a blank (nginx reads 5, others 55)", "5 5\r\nhello\r\n0\r\n\r\n"},
        {"no size", ";a\r\nhello\r\n0\r\n\r\n"},
        {"a blank before the size", " 5\r\nhello\r\n0\r\n\r\n"},
        {"an extension without a name", "5;\r\nhello\r\n0\r\n\r\n"},
        {"an extension with = and no value", "5;a=\r\nhello\r\n0\r\n\r\n"},
        {"an unterminated quoted value", "5;a=\"b\r\nhello\r\n0\r\n\r\n"},
        {"a value with a blank inside", "5;a=b c\r\nhello\r\n0\r\n\r\n"},
        {"a size that overflows 64 bits", "10000000000000000\r\nhello\r\n0\r\n\r\n"},
        {"data longer than its size (llhttp 8.1 skips two bytes)", "5\r\nhelloXY0\r\n\r\n"},
        {"a bare CR after the data", "5\r\nhello\rX0\r\n\r\n"},
        {"a chunk-size line of 5000 bytes", "5;a=\"" + std::string(5000, 'x') + "\"\r\nhello\r\n0\r\n\r\n"},
    }));
    INFO(what);
    check_both_ways(chunked_head + chunks, LineEnds::CrlfOnly, false);
    check_both_ways(chunked_head + chunks, LineEnds::CrlfOrLf, false);
}

TEST_CASE("parse_chunk_size_line reads the size and says why a line is bad", "[framing-guard][chunk-ext]") {
    CHECK(http::parse_chunk_size_line("1a").size == 26u);
    CHECK(http::parse_chunk_size_line("7fffffffffffffef").size == 0x7fffffffffffffefULL);
    CHECK(http::parse_chunk_size_line("7fffffffffffffff").problem == "chunk size too large");  // nginx: off_t overflows
    CHECK(http::parse_chunk_size_line("0 ; x = \"a;b\"").size == 0u);
    CHECK_FALSE(http::parse_chunk_size_line("").size);
    CHECK(http::parse_chunk_size_line("5 5").problem == "unexpected character in chunk extensions");
    CHECK(http::parse_chunk_size_line("zz").problem == "invalid chunk size");
    CHECK(http::parse_chunk_size_line("10000000000000000").problem == "chunk size too large");
}

TEST_CASE("pipelined requests after a chunked one are kept apart", "[framing-guard]") {
    const auto bytes = chunked_head + "5 ; a=b\r\nhello\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n" +
                       "GET /next HTTP/1.1\r\nHost: b\r\n\r\n";
    for (const auto line_ends : {LineEnds::CrlfOnly, LineEnds::CrlfOrLf}) {
        for (const auto& parsed : {testing::parse_requests(bytes, policy(line_ends)), one_byte_at_a_time(bytes, policy(line_ends))}) {
            REQUIRE_FALSE(parsed.error);
            REQUIRE(parsed.requests.size() == 2);
            CHECK(parsed.requests[0].body == "helloabc");
            CHECK(parsed.requests[0].trailers.get("T") == "1");
            CHECK(parsed.requests[1].target == "/next");
        }
    }
}

TEST_CASE("a CR in a Content-Length body is data, not a line end", "[framing-guard]") {
    const std::string bytes = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\na\rb\nGET / HTTP/1.1\r\nHost: b\r\n\r\n";
    const auto parsed = testing::parse_requests(bytes, policy(LineEnds::CrlfOnly));
    REQUIRE_FALSE(parsed.error);
    REQUIRE(parsed.requests.size() == 2);
    CHECK(parsed.requests[0].body == "a\rb\n");
}
