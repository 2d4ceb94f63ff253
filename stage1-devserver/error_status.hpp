// Which status the dev server answers for each kind of bad request.
// runserver is Python's http.server underneath, and Django behind it:
//   request line over 65536 bytes      414  (http.server)
//   a header line over 65536 bytes,
//   or more than 100 header fields     431  (http.server)
//   HTTP/2.0 and above                 505  (http.server)
//   a body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB)
//                                      400  (Django's RequestDataTooBig is a
//                                            SuspiciousOperation: 400, not 413)
//   a line ending in LF without CR     accepted (http.server reads lines
//                                            up to LF and strips the CR)
//   a CR not followed by LF            400  (stricter than http.server, which
//                                            lets it into a header value: a
//                                            bare CR is how requests are smuggled)
//   anything else malformed            400
// Two answers are stage 1's own, not runserver's: http.server knows no
// Transfer-Encoding (runserver leaves a chunked body unread and parses its
// chunks as the next request), while stage 1 decodes chunked bodies and
// answers 501 for a coding it cannot decode (gzip), as RFC 9112 asks.
// Gunicorn and nginx answer some of these differently; their stages have
// their own tables, and the tutorial compares them.
#pragma once

#include "http/parse_error.hpp"
#include "http/parser.hpp"

namespace webstack::stage1 {

inline int status_for(http::ParseErrorKind kind) {
    if (kind == http::ParseErrorKind::BodyTooLarge) return 400;
    return http::default_status(kind);
}

// http.server's _MAXLINE and _MAXHEADERS, and Django's upload limit.
inline http::ParserLimits runserver_limits() {
    return http::ParserLimits{.max_request_line = 65536,
                              .max_header_count = 100,
                              .max_header_field_size = 65536,
                              .max_body_size = 2621440,
                              .line_ends = http::LineEnds::CrlfOrLf};
}

}  // namespace webstack::stage1
