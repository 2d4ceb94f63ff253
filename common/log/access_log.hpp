// Gunicorn's access log: one line per request, in a format made of atoms
// (https://docs.gunicorn.org/en/stable/settings.html#access-log-format):
//   h remote address    l "-"              u user name ("-")
//   t [10/Oct/2000:13:55:36 -0700]         r request line
//   s status            b body bytes ("-" for 0)
//   f Referer           a User-Agent
//   T request time, whole seconds          D request time, microseconds
//   p process id        {name}i a request header   {name}o a response header
// written as %(h)s, %(T)s, %({user-agent}i)s and so on.
#pragma once

#include "http/headers.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace webstack::log {

// Gunicorn's default --access-logformat.
inline constexpr std::string_view gunicorn_default_access_format =
    R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")";

// nginx's "combined" format, in the same atoms: the same line, except that
// nginx writes an empty body's size as 0 where Gunicorn writes "-".
//   $remote_addr - $remote_user [$time_local] "$request" $status
//   $body_bytes_sent "$http_referer" "$http_user_agent"
inline constexpr std::string_view nginx_combined_access_format =
    R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(B)s "%(f)s" "%(a)s")";

struct AccessRecord {
    std::string remote_address;
    std::string request_line;          // "GET / HTTP/1.1"
    int status = 0;
    std::size_t body_bytes = 0;
    const http::HeaderList* request_headers = nullptr;
    const http::HeaderList* response_headers = nullptr;
    std::chrono::microseconds duration{0};
};

// Fills the atoms of `format`; an unknown atom becomes "-".
std::string format_access_line(std::string_view format, const AccessRecord& record);

}  // namespace webstack::log
