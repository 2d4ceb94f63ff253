#include "dev_server.hpp"

#include "http/serializer.hpp"
#include "log/runserver_log.hpp"
#include "net/blocking_io.hpp"
#include "net/stop_signals.hpp"
#include "pages.hpp"

#include <fmt/format.h>

namespace webstack::stage1 {

namespace {
constexpr std::string_view server_name = "webstack-stage1";

std::string request_line(const http::Request& request) {
    return fmt::format("{} {} HTTP/{}.{}", request.method, request.target, request.version.major,
                       request.version.minor);
}
}  // namespace

DevServer::DevServer(net::Listener& listener, Handler handler, DevServerOptions options)
    : listener_(listener), handler_(std::move(handler)), options_(std::move(options)) {}

void DevServer::run() {
    while (!net::stop_requested()) {
        auto socket = net::accept_unless_stopped(listener_);
        if (!socket) break;
        serve_connection(*socket);
    }
}

void DevServer::serve_connection(net::Socket& socket) {
    http::RequestParser parser(options_.limits);
    std::string pending;  // bytes read but not parsed yet: maybe a pipelined request
    while (true) {
        const auto outcome = read_request(socket, parser, pending);
        if (outcome == ReadOutcome::Closed) break;
        if (outcome == ReadOutcome::BadRequest) {
            send_error(socket, parser);
            break;  // after a framing error we cannot tell where the next request starts
        }
        const auto request = parser.take_request();
        auto response = handler_(request);
        if (!send_response(socket, request, std::move(response))) break;
    }
    net::close_gracefully(socket);
}

DevServer::ReadOutcome DevServer::read_request(net::Socket& socket, http::RequestParser& parser,
                                               std::string& pending) {
    bool continue_answered = false;
    while (true) {
        const auto used = parser.feed(pending);
        pending.erase(0, used);
        if (parser.error()) return ReadOutcome::BadRequest;
        if (parser.message_complete()) return ReadOutcome::Request;
        answer_continue_if_expected(socket, parser, continue_answered);

        // The idle timeout bounds every wait for bytes: between requests
        // (keep-alive) and inside one (a client that stops mid-request).
        const auto deadline = net::Clock::now() + options_.idle_timeout;
        switch (net::read_some(socket, pending, deadline)) {
            case net::ReadStatus::Data: break;
            case net::ReadStatus::Closed:
                parser.finish();
                return parser.error() ? ReadOutcome::BadRequest : ReadOutcome::Closed;
            case net::ReadStatus::TimedOut:
            case net::ReadStatus::Stopped:
            case net::ReadStatus::Failed: return ReadOutcome::Closed;
        }
    }
}

// RFC 9110 section 10.1.1: a client that sends "Expect: 100-continue" waits
// for "100 Continue" before sending the body (curl does, for bodies over
// 1 MiB). Without it, curl stalls for a second. A request we will refuse
// gets its final status instead, from send_error().
void DevServer::answer_continue_if_expected(net::Socket& socket, const http::RequestParser& parser,
                                            bool& answered) {
    if (answered || !parser.headers_complete()) return;
    answered = true;
    const auto request = parser.current();
    if (request.version == http::Version{1, 1} && request.headers.has_token("Expect", "100-continue"))
        net::write_all(socket, "HTTP/1.1 100 Continue\r\n\r\n", net::Clock::now() + options_.write_timeout);
}

bool DevServer::send_response(net::Socket& socket, const http::Request& request, http::Response response) {
    response.keep_alive = response.keep_alive && request.keep_alive && !net::stop_requested();
    // HTTP/1.0 closes after each response unless both sides say keep-alive.
    if (response.keep_alive && request.version == http::Version{1, 0})
        response.headers.set("Connection", "keep-alive");
    const bool head = request.method == "HEAD";
    const auto bytes = http::serialize_response(response, {.head_request = head, .server = server_name});
    const bool sent = net::write_all(socket, bytes, net::Clock::now() + options_.write_timeout);
    log::runserver_request(request_line(request), response.status, head ? 0 : response.body.size());
    return sent && response.keep_alive;
}

void DevServer::send_error(net::Socket& socket, const http::RequestParser& parser) {
    const auto& error = *parser.error();
    const int status = options_.status_for_error(error.kind);
    http::Response response;
    response.status = status;
    response.keep_alive = false;
    response.headers.add("Content-Type", "text/html; charset=utf-8");
    response.body = error_page(status, error.reason);
    net::write_all(socket, http::serialize_response(response, {.server = server_name}),
                   net::Clock::now() + options_.write_timeout);
    // runserver (http.server) logs a bad request as two lines: the reason,
    // then the request line it could not read.
    log::runserver_message(fmt::format("code {}, message {}: {}", status, http::to_string(error.kind), error.reason));
    const auto request = parser.current();
    log::runserver_request(request.method.empty() ? "-" : request_line(request), status, response.body.size());
}

}  // namespace webstack::stage1
