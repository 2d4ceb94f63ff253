#include "dev_server.hpp"

#include "connection_threads.hpp"
#include "http/message_rules.hpp"
#include "http/serializer.hpp"
#include "log/runserver_log.hpp"
#include "net/blocking_io.hpp"
#include "net/stop_signals.hpp"
#include "pages.hpp"

#include <fmt/format.h>

namespace webstack::stage1 {

Handler whole_responses(std::function<http::Response(const http::Request&)> build) {
    return [build = std::move(build)](const http::Request& request, const net::Endpoints&, ResponseWriter& writer) {
        writer.send(build(request));
    };
}

DevServer::DevServer(net::Listener& listener, Handler handler, DevServerOptions options)
    : listener_(listener), handler_(std::move(handler)), options_(std::move(options)) {}

void DevServer::run() {
    ConnectionThreads threads([this](net::Socket& connection) { serve_connection(connection); });
    while (!net::stop_requested()) {
        if (options_.between_connections && options_.between_connections()) break;
        threads.join_finished();
        auto socket = net::accept_until(listener_, net::Clock::now() + std::chrono::seconds(1));
        if (!socket) continue;
        if (options_.threading) threads.start(std::move(*socket));
        else serve_connection(*socket);  // everyone else waits in the accept queue meanwhile
    }
    // Leaving, `threads` waits for every connection's thread: the stop
    // signal has woken them all from their waits.
}

void DevServer::serve_connection(net::Socket& socket) {
    const auto connection = net::endpoints_of(socket);
    http::RequestParser parser(options_.limits);
    std::string pending;  // bytes read but not parsed yet: maybe a pipelined request
    bool client_may_send_more = false;
    while (true) {
        const auto outcome = read_request(socket, parser, pending);
        if (outcome == ReadOutcome::Closed) break;
        if (outcome == ReadOutcome::BadRequest) {
            send_error(socket, parser);
            client_may_send_more = true;  // the rest of a body we refused, say
            break;  // after a framing error we cannot tell where the next request starts
        }
        const auto request = parser.take_request();
        if (!answer(socket, connection, request)) {
            client_may_send_more = !pending.empty() || parser.in_progress();
            break;
        }
    }
    // Linger only when the client may still be sending (see close_gracefully);
    // otherwise a plain close costs the client no round trip.
    if (client_may_send_more) net::close_gracefully(socket);
    else net::close_now(socket);
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
        const auto deadline = options_.idle_timeout ? net::Clock::now() + *options_.idle_timeout : net::no_deadline;
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
    if (http::expects_100_continue(parser.current()))
        net::write_all(socket, "HTTP/1.1 100 Continue\r\n\r\n", net::Clock::now() + options_.write_timeout);
}

bool DevServer::answer(net::Socket& socket, const net::Endpoints& connection, const http::Request& request) {
    const auto start = std::chrono::steady_clock::now();
    ResponseWriter writer(ResponseWriter::socket_sink(socket, options_.write_timeout), request, options_.server_name,
                          options_.keep_alive, ResponseWriter::socket_file_sink(socket, options_.write_timeout));
    try {
        handler_(request, connection, writer);
        writer.finish();
    } catch (const std::exception& error) {
        // A handler should answer errors itself (stage 2's does, with a 500
        // page); this is the last line of defence.
        log::runserver_message(fmt::format("Internal Server Error: {}: {}", request.target, error.what()));
        if (writer.started()) {
            writer.abort();
        } else {
            http::Response response;
            response.status = 500;
            response.keep_alive = false;
            response.body = error_page(500, "the handler failed");
            writer.send(std::move(response));
        }
    }
    if (options_.log_request) {
        options_.log_request(request, connection, writer, std::chrono::steady_clock::now() - start);
    } else {
        log::runserver_request(http::request_line(request), writer.status(), writer.body_bytes());
    }
    return writer.keep_alive();
}

void DevServer::send_error(net::Socket& socket, const http::RequestParser& parser) {
    const auto& error = *parser.error();
    const int status = options_.status_for_error(error.kind);
    http::Response response;
    response.status = status;
    response.keep_alive = false;
    response.headers.add("Content-Type", "text/html; charset=utf-8");
    response.body = error_page(status, error.reason);
    net::write_all(socket, http::serialize_response(response, {.server = options_.server_name}),
                   net::Clock::now() + options_.write_timeout);
    // runserver (http.server) logs a bad request as two lines: the reason,
    // then the request line it could not read.
    log::runserver_message(fmt::format("code {}, message {}: {}", status, http::to_string(error.kind), error.reason));
    const auto request = parser.current();
    log::runserver_request(request.method.empty() ? "-" : http::request_line(request), status, response.body.size());
}

}  // namespace webstack::stage1
