// What can be wrong with bytes that claim to be an HTTP message. Every
// failure the parser reports is one of these kinds plus a human reason.
// Servers disagree on the status code for some kinds (runserver, Gunicorn
// and nginx each have their own table), so the kind carries only a default,
// and each stage maps kinds to statuses the way the server it imitates does.
#pragma once

#include <string>
#include <string_view>

namespace webstack::http {

enum class ParseErrorKind {
    Malformed,               // bad syntax, or framing that could be used for smuggling
    BodyTooLarge,            // the body is longer than the configured limit
    RequestLineTooLong,      // "GET <very long URL> HTTP/1.1"
    HeaderFieldsTooLarge,    // one field too long, or too many fields
    UnknownTransferCoding,   // Transfer-Encoding other than chunked (e.g. gzip)
    BadTransferEncoding,     // a Transfer-Encoding that does not parse ("chunked, chunked", ",chunked"):
                             // 400 by default; nginx, which knows only "chunked", answers 501
    UnsupportedVersion,      // HTTP/2.0 or HTTP/0.9 sent as text
};

struct ParseError {
    ParseErrorKind kind = ParseErrorKind::Malformed;
    std::string reason;      // e.g. "Content-Length and Transfer-Encoding together"
};

// The status RFC 9110 suggests for each kind: 400, 413, 414, 431, 501, 505.
int default_status(ParseErrorKind kind);

// A short name for logs and tests: "malformed", "body too large", ...
std::string_view to_string(ParseErrorKind kind);

}  // namespace webstack::http
