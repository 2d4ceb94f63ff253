// The message rules every stage shares (common/http/message_rules.hpp).
#include "catch.hpp"
#include "http/message_rules.hpp"

using namespace webstack::http;

namespace {
Request request(std::string method, Version version = {1, 1}) {
    Request result;
    result.method = std::move(method);
    result.target = "/a?b=1";
    result.version = version;
    return result;
}
}  // namespace

TEST_CASE("message rules: tokens, protocol, request line", "[common]") {
    CHECK(is_token("Content-Type"));
    CHECK(is_token("x!#$%&'*+-.^_`|~9"));
    CHECK_FALSE(is_token(""));
    CHECK_FALSE(is_token("Bad Name"));
    CHECK_FALSE(is_token("Name:"));
    CHECK_FALSE(is_token("caf\xc3\xa9"));
    CHECK(protocol({1, 0}) == "HTTP/1.0");
    CHECK(request_line(request("GET")) == "GET /a?b=1 HTTP/1.1");
}

TEST_CASE("message rules: hop-by-hop, each peer's list", "[common]") {
    for (auto rule : {HopByHop::Pep3333, HopByHop::Nginx}) {
        CHECK(is_hop_by_hop("connection", rule));
        CHECK(is_hop_by_hop("Transfer-Encoding", rule));
        CHECK_FALSE(is_hop_by_hop("Content-Type", rule));
    }
    // PEP 3333 names its list; nginx drops every Proxy-* field, and what Connection lists.
    CHECK(is_hop_by_hop("Proxy-Authorization", HopByHop::Pep3333));
    CHECK_FALSE(is_hop_by_hop("Proxy-Secret", HopByHop::Pep3333));
    CHECK(is_hop_by_hop("Proxy-Secret", HopByHop::Nginx));
    CHECK_FALSE(is_hop_by_hop("X-Secret", HopByHop::Pep3333, "close, X-Secret"));
    CHECK(is_hop_by_hop("x-secret", HopByHop::Nginx, "close, X-Secret"));
    CHECK_FALSE(is_hop_by_hop("X-Other", HopByHop::Nginx, "close, X-Secret"));
}

TEST_CASE("message rules: how a response body is delimited", "[common][ex.stage1.framing]") {
    CHECK(response_framing(request("HEAD"), 200, true) == Framing::NoBody);
    for (int status : {100, 204, 304}) CHECK(response_framing(request("GET"), status, false) == Framing::NoBody);
    CHECK(response_framing(request("GET"), 200, true) == Framing::ContentLength);
    CHECK(response_framing(request("GET"), 200, false) == Framing::Chunked);
    CHECK(response_framing(request("GET", {1, 0}), 200, false) == Framing::UntilClose);
}

TEST_CASE("message rules: text made safe inside HTML", "[common]") {
    CHECK(escape_html("<a href=\"x\">Tom & 'Jerry'</a>") ==
          "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/a&gt;");
    CHECK(escape_html("plain") == "plain");
    CHECK(escape_html("Tom & 'Jerry'", false) == "Tom &amp; 'Jerry'");  // as nginx's own pages
}

TEST_CASE("message rules: who waits for 100 Continue", "[common][ex.stage1.continue]") {
    auto put = request("PUT");
    CHECK_FALSE(expects_100_continue(put));  // no Expect: the body follows the head at once
    put.headers.add("Expect", "100-continue");
    CHECK(expects_100_continue(put));
    auto shouted = request("PUT");
    shouted.headers.add("Expect", "100-Continue");  // tokens are case-insensitive (RFC 9110 section 10.1.1)
    CHECK(expects_100_continue(shouted));
    auto old = request("PUT", {1, 0});
    old.headers.add("Expect", "100-continue");  // an HTTP/1.0 client does not know 1xx answers
    CHECK_FALSE(expects_100_continue(old));
    auto other = request("PUT");
    other.headers.add("Expect", "something-else");
    CHECK_FALSE(expects_100_continue(other));
}
