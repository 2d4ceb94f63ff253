// The two HTTP/1.1 messages (RFC 9112): a request a client sends, and the
// response a server sends back. Plain data: parsers fill them, serializers
// turn them into bytes, handlers read one and build the other.
#pragma once

#include "http/headers.hpp"

#include <string>

namespace webstack::http {

struct Version {
    int major = 1;
    int minor = 1;
    friend bool operator==(Version, Version) = default;
};

struct Request {
    std::string method;        // "GET", "POST", ...
    std::string target;        // as sent: "/path?query" (origin form), or absolute form
    Version version;
    HeaderList headers;
    std::string body;          // the decoded body (chunked framing removed)
    HeaderList trailers;       // fields after the last chunk of a chunked body
    bool keep_alive = true;    // may the connection carry another request after this one?
};

struct Response {
    int status = 200;
    std::string reason;        // empty: the standard phrase for the status
    Version version;
    HeaderList headers;
    std::string body;
    HeaderList trailers;
    bool keep_alive = true;
};

}  // namespace webstack::http
