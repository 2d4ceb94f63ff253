// The server's side of environ: from a parsed HTTP request to PEP 3333's
// keys. Kept apart from the gateway so that a learner can read, in one
// place, where every key comes from.
#pragma once

#include "http/message.hpp"
#include "net/listener.hpp"
#include "wsgi/contract.hpp"

#include <optional>
#include <string>

namespace webstack::wsgi {

// wsgi.input over a body the server has already read.
class StringInput : public Input {
public:
    explicit StringInput(std::string_view body) : rest_(body) {}
    std::string read(long size = -1) override;
    std::string readline(long size = -1) override;

private:
    std::string_view rest_;
};

// wsgi.errors into the server's log, one log line per line written.
class LogErrors : public Errors {
public:
    ~LogErrors() override { flush(); }
    void write(std::string_view text) override;
    void flush() override;

private:
    std::string pending_;
};

// environ["SERVER_SOFTWARE"].
inline constexpr const char* server_software = "webstack/0.1";

// Builds the environ for `request`, or nothing when its path cannot be
// decoded (a bad %-escape, an encoded NUL): the server answers 400.
std::optional<Environ> make_environ(const http::Request& request, const net::Endpoints& connection);

// "User-Agent" -> "HTTP_USER_AGENT"; nothing for names with "_", which
// nginx and Gunicorn (22+) drop so that "X_Forwarded_For" cannot pose as
// "X-Forwarded-For" once both become HTTP_X_FORWARDED_FOR.
std::optional<std::string> cgi_name(std::string_view header_name);

// The request's headers into `vars`: CONTENT_TYPE and CONTENT_LENGTH under
// their CGI names, every other header as cgi_name() says; a header sent
// twice becomes one value, "first,second" (RFC 9110 section 5.3).
void add_headers(const http::HeaderList& headers, std::map<std::string, std::string>& vars);

}  // namespace webstack::wsgi
