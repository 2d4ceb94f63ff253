#include "wsgi/environ.hpp"

#include "http/message_rules.hpp"
#include "http/target.hpp"
#include "log/runserver_log.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace webstack::wsgi {

std::string StringInput::read(long size) {
    const auto count = size < 0 ? rest_.size() : std::min(rest_.size(), static_cast<std::size_t>(size));
    std::string bytes(rest_.substr(0, count));
    rest_.remove_prefix(count);
    return bytes;
}

std::string StringInput::readline(long size) {
    auto count = rest_.find('\n');
    count = count == std::string_view::npos ? rest_.size() : count + 1;
    if (size >= 0) count = std::min(count, static_cast<std::size_t>(size));
    return read(static_cast<long>(count));
}

void LogErrors::write(std::string_view text) {
    pending_ += text;
    for (auto newline = pending_.find('\n'); newline != std::string::npos; newline = pending_.find('\n')) {
        log::runserver_message(pending_.substr(0, newline));
        pending_.erase(0, newline + 1);
    }
}

void LogErrors::flush() {
    if (!pending_.empty()) log::runserver_message(std::exchange(pending_, {}));
}

std::optional<std::string> cgi_name([[maybe_unused]] std::string_view header_name) {
    // BEGIN EXERCISE stage2.cgi_name
    std::string name = "HTTP_";
    for (char c : header_name) {
        if (c == '_') return std::nullopt;
        name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return name;
    // STUB
    // throw std::logic_error("exercise stage2.cgi_name is not done yet (scripts/exercises hint stage2.cgi_name)");
    // END EXERCISE stage2.cgi_name
}

void add_headers([[maybe_unused]] const http::HeaderList& headers,
                 [[maybe_unused]] std::map<std::string, std::string>& vars) {
    // BEGIN EXERCISE stage2.environ_headers
    for (const auto& field : headers) {
        // CGI gives these two their own keys, without HTTP_.
        if (http::equals_ignoring_case(field.name, "Content-Type")) {
            vars["CONTENT_TYPE"] = field.value;
        } else if (http::equals_ignoring_case(field.name, "Content-Length")) {
            vars["CONTENT_LENGTH"] = field.value;
        } else if (auto name = cgi_name(field.name)) {
            auto [entry, inserted] = vars.try_emplace(*name, field.value);
            if (!inserted) entry->second += "," + field.value;
        }
    }
    // STUB
    // throw std::logic_error("exercise stage2.environ_headers is not done yet (scripts/exercises hint stage2.environ_headers)");
    // END EXERCISE stage2.environ_headers
}

std::optional<Environ> make_environ(const http::Request& request, const net::Endpoints& connection) {
    const auto parsed = http::parse_target(request.target);
    if (!parsed.target) return std::nullopt;
    // PATH_INFO is decoded but, as in Gunicorn, not normalised: "/a/../b" stays.
    auto path = http::percent_decode(parsed.target->raw_path);
    if (!path) return std::nullopt;

    Environ environ;
    auto& vars = environ.vars;
    vars["REQUEST_METHOD"] = request.method;
    vars["SCRIPT_NAME"] = "";  // the app is mounted at the root of the site
    vars["PATH_INFO"] = *path;
    vars["QUERY_STRING"] = parsed.target->query;
    vars["SERVER_NAME"] = connection.server_host;
    vars["SERVER_PORT"] = connection.server_port;
    vars["SERVER_PROTOCOL"] = http::protocol(request.version);
    vars["REMOTE_ADDR"] = connection.remote_host;
    vars["REMOTE_PORT"] = connection.remote_port;
    // Two keys Gunicorn adds that apps read: the target exactly as sent
    // (before any decoding), and the server's name (CGI, RFC 3875 4.1.17).
    vars["RAW_URI"] = request.target;
    vars["SERVER_SOFTWARE"] = server_software;
    add_headers(request.headers, vars);
    return environ;
}

}  // namespace webstack::wsgi
