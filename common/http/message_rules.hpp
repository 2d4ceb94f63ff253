// The rules of HTTP messages that more than one stage needs, written once:
// what a token is, how a request line reads, which headers are hop-by-hop
// (each peer has its own list), how a response body is delimited, and
// how text is made safe inside HTML.
#pragma once

#include "http/message.hpp"

#include <array>
#include <string>
#include <string_view>

namespace webstack::http {

// RFC 9110 section 5.6.2: what header names, methods and codings are made
// of. (Inline: the parser asks it for every header field name.)
inline constexpr auto token_characters = [] {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
    return table;
}();

inline bool is_token(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text)
        if (!token_characters[static_cast<unsigned char>(c)]) return false;
    return true;
}

// "HTTP/1.1".
std::string protocol(Version version);
// "GET /path HTTP/1.1" (no line end), as access and error logs show a request.
std::string request_line(const Request& request);

// Hop-by-hop headers (RFC 9110 section 7.6.1) describe one connection, so
// they never pass from one peer to the next. Who asks decides the list:
enum class HopByHop {
    Pep3333,  // headers a WSGI app may not set: Connection, Keep-Alive, Proxy-Authenticate,
              // Proxy-Authorization, TE, Trailer(s), Transfer-Encoding, Upgrade
    Nginx,    // headers a proxy drops: Connection, Keep-Alive, TE, Trailer, Transfer-Encoding,
              // Upgrade, every Proxy-* field, and each name the Connection header lists
};
bool is_hop_by_hop(std::string_view name, HopByHop rule, std::string_view connection_header = {});

// RFC 9110 section 10.1.1: does the client wait for "100 Continue" before
// it sends its body? Only an HTTP/1.1 request that says
// "Expect: 100-continue" (the token, in any case, maybe among others).
bool expects_100_continue(const Request& request);

// How a response body is delimited (RFC 9112 section 6.3): none (HEAD,
// 1xx, 204, 304), by Content-Length, chunked (HTTP/1.1 without a length),
// or by closing the connection (HTTP/1.0 without a length).
enum class Framing { NoBody, ContentLength, Chunked, UntilClose };
Framing response_framing(const Request& request, int status, bool has_content_length);

// Text made safe inside HTML: & < > " ' escaped (the apostrophe too,
// unless told not to, as nginx's own pages leave it: ngx_escape_html).
std::string escape_html(std::string_view text, bool apostrophe = true);

}  // namespace webstack::http
