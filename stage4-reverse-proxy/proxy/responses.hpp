// What the proxy itself answers, and how it rewrites the headers that pass
// through it, both ways.
#pragma once

#include "config/config.hpp"
#include "http/headers.hpp"
#include "http/message.hpp"
#include "proxy/variables.hpp"

#include <string>

namespace webstack::stage4 {

inline constexpr const char* server_header = "webstack";

// nginx's own error page: a few lines of HTML with the status, and
// "Request Header Or Cookie Too Large" style details where nginx has them.
http::Response error_page(int status, bool keep_alive);

// The answer of `return CODE TEXT` / `return CODE URL`.
http::Response return_response(const ReturnDirective& directive, const RequestContext& context, bool keep_alive);

// add_header: the fields the answering block (context.settings) adds to an
// answer with this status, appended to a head or added to a header list.
void append_added_headers(std::string& head, int status, const RequestContext& context);
void add_added_headers(http::HeaderList& headers, int status, const RequestContext& context);

// The charset filter: "text/html" -> "text/html; charset=utf-8" when
// `charset utf-8` is on and the type is one of charset_types; a type that
// names its charset already, or another type, is left as it is.
std::string with_charset(std::string_view content_type, const Settings* settings);

// absolute_redirect on (nginx's default): a Location that starts with "/"
// gets the scheme, the host ($host, or the server_name with
// server_name_in_redirect) and the port (unless 80, or port_in_redirect off).
std::string absolute_location(std::string location, const RequestContext& context);

// The target to send upstream (nginx's proxy_pass URI rule): with a URI in
// proxy_pass, it replaces the part of the (decoded, normalised) path that
// the location matched; without one, the client's target goes as it came.
// `made`: proxy_pass with variables, as made for this request (its URI
// then replaces the whole target).
std::string upstream_target(const Location& location, const http::Request& request, const ProxyPass* made = nullptr);

// The request head for the upstream, as nginx builds it: the request line
// with upstream_target(), its own Host and framing, then proxy_set_header
// (expanded; an empty value removes the header), then the client's
// headers minus hop-by-hop ones, minus what proxy_set_header replaced,
// minus names with "_" (unless underscores_in_headers on). `chunked_body`:
// the body follows in chunks ("Transfer-Encoding: chunked"), its length unknown.
std::string upstream_request_head(const http::Request& request, const Location& location,
                                  const RequestContext& context, std::optional<std::size_t> body_length,
                                  bool keep_connection, bool chunked_body = false);

// The upstream's response headers, as the client gets them, appended to
// `head` as "Name: value" lines: no hop-by-hop headers, no Server or Date
// (we send our own, as nginx does), no Content-Length (the caller frames
// the body), Location and Refresh rewritten by proxy_redirect.
// `compressing` (the gzip filter compresses the body): no Accept-Ranges,
// and a strong ETag made weak.
void append_headers_for_client(std::string& head, const http::HeaderList& upstream_headers, const Location& location,
                               const RequestContext& context, bool compressing = false);

}  // namespace webstack::stage4
