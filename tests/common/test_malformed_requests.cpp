// Requests a strict server must refuse. Each row is one class of mistake
// or attack, with the kind of error (and so the default status) we expect.
// Many are request-smuggling vectors: bytes that two servers in a chain
// could frame differently.
#include "catch.hpp"
#include "parse_helpers.hpp"

#include <string>

using namespace webstack;
using namespace std::string_literals;
using Kind = http::ParseErrorKind;

namespace {
const std::string host = "Host: a\r\n";
}

TEST_CASE("malformed requests are refused with the right kind", "[request-parser][malformed]") {
    const auto [name, bytes, kind] = GENERATE(table<std::string, std::string, Kind>({
        {"not HTTP at all", "GARBAGE\r\n\r\n", Kind::Malformed},
        {"lower-case method", "get / HTTP/1.1\r\n" + host + "\r\n", Kind::Malformed},
        {"space inside the target", "GET /a b HTTP/1.1\r\n" + host + "\r\n", Kind::Malformed},
        {"missing version", "GET /\r\n" + host + "\r\n", Kind::UnsupportedVersion},
        {"misspelt protocol", "GET / HTXP/1.1\r\n" + host + "\r\n", Kind::Malformed},
        {"version with letters", "GET / HTTP/1.x\r\n" + host + "\r\n", Kind::Malformed},
        {"HTTP/2.0 as text", "GET / HTTP/2.0\r\n" + host + "\r\n", Kind::UnsupportedVersion},
        {"HTTP/3.1", "GET / HTTP/3.1\r\n" + host + "\r\n", Kind::UnsupportedVersion},
        {"bare LF line endings (the default, Gunicorn 23's: test_framing_guard.cpp has both)",
         "GET / HTTP/1.1\nHost: a\n\n", Kind::Malformed},
        {"bare CR inside a header value", "GET / HTTP/1.1\r\n" + host + "X: a\rb\r\n\r\n", Kind::Malformed},
        {"control character in a header value", "GET / HTTP/1.1\r\n" + host + "X: a\x01" "b\r\n\r\n",
         Kind::Malformed},
        {"NUL in a header value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n"s, Kind::Malformed},
        {"obs-fold (a header continued on the next line)", "GET / HTTP/1.1\r\n" + host + "X: a\r\n b\r\n\r\n",
         Kind::Malformed},
        {"obs-fold after an empty value", "GET / HTTP/1.1\r\nX:\r\n b\r\n" + host + "\r\n", Kind::Malformed},
        {"chunk size, a blank, more digits", "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5 5\r\nhello\r\n0\r\n\r\n",
         Kind::Malformed},
        {"space before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", Kind::Malformed},
        {"header without a colon", "GET / HTTP/1.1\r\n" + host + "NoColon\r\n\r\n", Kind::Malformed},
        {"header name with a bad character", "GET / HTTP/1.1\r\n" + host + "X(y): 1\r\n\r\n", Kind::Malformed},
        {"missing Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", Kind::Malformed},
        {"two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", Kind::Malformed},
        {"Content-Length with Transfer-Encoding",
         "POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         Kind::Malformed},
        {"two Content-Length headers", "POST / HTTP/1.1\r\n" + host + "Content-Length: 1\r\nContent-Length: 1\r\n\r\na",
         Kind::Malformed},
        {"Content-Length list", "POST / HTTP/1.1\r\n" + host + "Content-Length: 1, 1\r\n\r\na", Kind::Malformed},
        {"negative Content-Length", "POST / HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n", Kind::Malformed},
        {"Content-Length with a plus sign", "POST / HTTP/1.1\r\n" + host + "Content-Length: +5\r\n\r\nhello",
         Kind::Malformed},
        {"hex Content-Length", "POST / HTTP/1.1\r\n" + host + "Content-Length: 0x5\r\n\r\nhello", Kind::Malformed},
        {"bad chunk size", "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
         Kind::Malformed},
        {"chunk size with a sign", "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n",
         Kind::Malformed},
        {"chunk data longer than its size",
         "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", Kind::Malformed},
        {"chunked applied twice",
         "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", Kind::BadTransferEncoding},
        {"garbage Transfer-Encoding", "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chu nked\r\n\r\n",
         Kind::BadTransferEncoding},
        {"empty element in Transfer-Encoding",
         "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n", Kind::BadTransferEncoding},
        {"unknown coding: gzip", "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\n",
         Kind::UnknownTransferCoding},
        {"unknown coding before chunked",
         "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
         Kind::UnknownTransferCoding},
        {"unknown coding in a second field",
         "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         Kind::UnknownTransferCoding},
        {"a TLS handshake sent to the plain HTTP port", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"s,
         Kind::Malformed},
        {"a good request, then garbage as the next one", "GET / HTTP/1.1\r\n" + host + "\r\nHELLO?\r\n\r\n",
         Kind::Malformed},
    }));
    INFO(name << "\n" << bytes);
    const auto result = testing::parse_requests(bytes);
    REQUIRE(result.error);
    CHECK(result.error->kind == kind);
    CHECK_FALSE(result.error->reason.empty());
}

TEST_CASE("every error kind has its default status", "[parse-error]") {
    CHECK(http::default_status(Kind::Malformed) == 400);
    CHECK(http::default_status(Kind::BodyTooLarge) == 413);
    CHECK(http::default_status(Kind::RequestLineTooLong) == 414);
    CHECK(http::default_status(Kind::HeaderFieldsTooLarge) == 431);
    CHECK(http::default_status(Kind::UnknownTransferCoding) == 501);
    CHECK(http::default_status(Kind::UnsupportedVersion) == 505);
}

TEST_CASE("check_transfer_encoding tells unknown codings from garbage", "[request-parser]") {
    CHECK_FALSE(http::check_transfer_encoding("chunked"));
    CHECK_FALSE(http::check_transfer_encoding("Chunked"));
    CHECK(http::check_transfer_encoding("gzip")->kind == Kind::UnknownTransferCoding);
    CHECK(http::check_transfer_encoding("gzip, chunked")->kind == Kind::UnknownTransferCoding);
    CHECK(http::check_transfer_encoding("chunked, gzip")->kind == Kind::UnknownTransferCoding);
    CHECK(http::check_transfer_encoding("chunked, chunked")->kind == Kind::BadTransferEncoding);
    CHECK(http::check_transfer_encoding("chunked;q=1")->kind == Kind::BadTransferEncoding);
    CHECK(http::check_transfer_encoding("")->kind == Kind::BadTransferEncoding);
}
