#include "routes.hpp"

#include "http/message_rules.hpp"
#include "http/target.hpp"
#include "log/runserver_log.hpp"
#include "net/stop_signals.hpp"
#include "pages.hpp"

#include <fmt/format.h>

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <thread>

namespace webstack::stage1 {

namespace {
using http::Request;
using http::Response;

Response html(int status, std::string body) {
    Response response;
    response.status = status;
    response.headers.add("Content-Type", "text/html; charset=utf-8");
    response.body = std::move(body);
    return response;
}

Response plain_text(int status, std::string body) {
    Response response;
    response.status = status;
    response.headers.add("Content-Type", "text/plain; charset=utf-8");
    response.body = std::move(body);
    return response;
}

// The request as the server understood it: start line, headers, blank line,
// the decoded body (chunked framing removed), then any trailer fields.
Response echo(const Request& request) {
    std::string text = http::request_line(request) + "\n";
    for (const auto& field : request.headers) text += fmt::format("{}: {}\n", field.name, field.value);
    text += "\n";
    text += request.body;
    for (const auto& field : request.trailers) text += fmt::format("\n{}: {}", field.name, field.value);
    return plain_text(200, std::move(text));
}

// The value of `name` in a query string like "seconds=3&x=1", if present.
std::optional<std::string_view> query_parameter(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto equals = pair.find('=');
        if (pair.substr(0, equals) == name)
            return equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

// Sleeps like a slow view (a big query, a slow API call). With
// --nothreading, nobody else is served while it sleeps: the lesson.
Response slow(const http::Target& target) {
    constexpr int max_seconds = 30;
    int seconds = 1;
    if (auto text = query_parameter(target.query, "seconds")) {
        const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), seconds);
        if (error != std::errc{} || end != text->data() + text->size() || seconds < 0)
            return plain_text(400, "seconds must be a whole number, e.g. /slow?seconds=5\n");
        seconds = std::min(seconds, max_seconds);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    // Sleep in small steps so Ctrl-C still stops the server promptly.
    while (std::chrono::steady_clock::now() < until && !net::stop_requested())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return plain_text(200, fmt::format("slept {} seconds\n", seconds));
}
// Kills the whole process, as a crash in a C extension or the kernel's
// out-of-memory killer would. Every thread dies with it, and with them
// every other request in flight: one process, one fate.
[[noreturn]] void crash() {
    log::runserver_message("/crash: crashing the whole process on purpose (SIGSEGV)");
    std::signal(SIGSEGV, SIG_DFL);
    std::raise(SIGSEGV);
    std::abort();  // not reached
}
}  // namespace

Response route_request(const Request& request) {
    const auto parsed = http::parse_target(request.target);
    if (!parsed.target) return html(400, error_page(400, parsed.error));
    const auto& target = *parsed.target;
    if (target.path == "/echo") return echo(request);
    if (target.path == "/slow") return slow(target);
    if (target.path == "/crash") crash();
    if (target.path == "/") {
        if (request.method != "GET" && request.method != "HEAD") {
            auto response = html(405, error_page(405, "/ answers GET and HEAD"));
            response.headers.add("Allow", "GET, HEAD");
            return response;
        }
        return html(200, welcome_page());
    }
    return html(404, not_found_page(target.path));
}

}  // namespace webstack::stage1
