// Turns messages into the bytes that go on the wire (RFC 9112). The one
// place that decides how a body is framed: Content-Length, or chunked.
#pragma once

#include "http/message.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace webstack::http {

// "OK" for 200, "Not Found" for 404, ... ("Unknown" for codes we do not know).
std::string_view reason_phrase(int status);

// RFC 9110 section 5.6.7's date: "Mon, 23 Nov 2026 21:00:00 GMT".
std::string format_http_date(std::chrono::system_clock::time_point when);
// Now, as an HTTP date. Formatted at most once a second per thread, as
// nginx does, because every response needs it.
const std::string& http_date_now();

// 1xx, 204 and 304 responses never have a body (RFC 9110 section 6.4.1).
bool status_has_body(int status);

struct ResponseOptions {
    bool head_request = false;             // a HEAD response: headers only
    std::string_view server = "webstack";  // the Server header, unless the response sets one
};

// The whole response. Adds Date, Server, Content-Length (unless the response
// sets "Transfer-Encoding: chunked": then the body goes out as one chunk) and
// "Connection: close" when the response says the connection ends.
std::string serialize_response(const Response& response, const ResponseOptions& options = {});

// Only the status line and headers, for a body sent separately: adds
// Server, Date and "Connection: close" like serialize_response, but no
// Content-Length (the body's length is not known here).
std::string serialize_response_head(const Response& response, const ResponseOptions& options = {});

// Appends one header line, "Name: value\r\n".
void append_field(std::string& out, std::string_view name, std::string_view value);

// The start of a response head that a proxy writes field by field: the
// HTTP/1.1 status line (the standard phrase when `reason` is empty), then
// Server and Date. The caller appends "Name: value\r\n" lines and "\r\n".
std::string start_response_head(int status, std::string_view reason, std::string_view server);

// One chunk of a chunked body ("5\r\nhello\r\n"); an empty piece gives "".
std::string serialize_chunk(std::string_view data);
// The same, appended to `out`: the size in lowercase hexadecimal (as nginx
// and Gunicorn write it; RFC 9112 section 7.1 accepts either case), CRLF,
// the data as it is, CRLF. An empty piece appends nothing: a chunk
// of size 0 is the end of the body, written by whoever ends it.
void append_chunk(std::string& out, std::string_view data);
// The end of a chunked body, with optional trailer fields.
std::string serialize_last_chunk(const HeaderList& trailers = {});

// A request as a client or a proxy sends it: Content-Length is added for a
// non-empty body unless the request sets its own framing.
std::string serialize_request(const Request& request);

}  // namespace webstack::http
