// The async worker: one thread, many connections, Asio C++20 coroutines.
// Every connection is a coroutine that reads requests and writes responses;
// while it waits for the network, the others run. Keep-alive works, with
// --keep-alive as the idle timeout.
//
// The contract is synchronous, though: the app runs on the worker's only
// thread, and while it runs no other connection moves. So the worker reads
// a whole request first (the slow client costs nothing: it is just another
// waiting coroutine), calls the app, keeps what the app produces in a
// buffer, and sends that asynchronously. A slow *app* still stalls all of
// this worker's connections: that is the honest limit of async + WSGI.
#include "config.hpp"
#include "http/message_rules.hpp"
#include "http/serializer.hpp"
#include "log/log.hpp"
#include "net/timed_io.hpp"
#include "workers/worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

namespace webstack::stage3 {

namespace {
namespace asio = boost::asio;
using asio::awaitable;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct WorkerState {
    const WorkerSettings& settings;
    wsgi::EnvironHook adjust;
    bool accepting = true;
    int open_connections = 0;
    int handled = 0;
};

awaitable<bool> send(net::Socket& socket, std::string_view bytes) {
    auto [error, count] = co_await asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()), use_tuple);
    co_return !error;
}

std::string error_response(const http::ParseError& error) {
    http::Response response;
    response.status = status_for(error.kind);
    response.keep_alive = false;
    response.headers.add("Content-Type", "text/plain");
    response.body = std::string(http::reason_phrase(response.status)) + ": " + error.reason + "\n";
    return http::serialize_response(response, {.server = "webstack-stage3"});
}

// Reads one request. Waiting for its first byte is bounded by --keep-alive,
// the rest by --timeout. Answers "Expect: 100-continue" on the way.
awaitable<bool> read_request(net::Socket& socket, http::RequestParser& parser, std::string& pending,
                             const WorkerSettings& settings) {
    bool continue_sent = false;
    while (true) {
        pending.erase(0, parser.feed(pending));
        if (parser.message_complete() || parser.error()) co_return true;
        if (parser.headers_complete() && !continue_sent) {
            continue_sent = true;
            // (Two statements: g++ 12 crashes on a temporary and a co_await in one condition.)
            const bool expected = http::expects_100_continue(parser.current());
            if (expected && !co_await send(socket, "HTTP/1.1 100 Continue\r\n\r\n")) co_return false;
        }
        const auto timeout = parser.in_progress() ? settings.timeout : settings.keep_alive;
        // Bounded by net/timed_io's watchdog: no timer per read.
        const auto read = co_await net::read_some_for(socket, pending, timeout.count() ? timeout : std::chrono::seconds(30));
        if (!read.ok()) co_return false;
    }
}

awaitable<void> serve_connection(net::Socket socket, WorkerState& state) {
    ++state.open_connections;
    const auto connection = net::endpoints_of(socket);
    http::RequestParser parser(state.settings.limits);
    std::string pending;
    while (co_await read_request(socket, parser, pending, state.settings)) {
        if (parser.error()) {
            co_await send(socket, error_response(*parser.error()));
            break;
        }
        const auto request = parser.take_request();
        const auto start = std::chrono::steady_clock::now();
        std::string output;  // what the app produces, sent once it is done
        stage1::ResponseWriter writer([&output](std::string_view bytes) { output.append(bytes); return true; },
                                      request, "webstack-stage3", state.accepting);
        wsgi::serve(state.settings.application, request, connection, writer, state.adjust);
        log_access(state.settings.access_log_format, request, connection, writer,
                   std::chrono::steady_clock::now() - start);
        if (!co_await send(socket, output) || !writer.keep_alive()) break;
        if (state.settings.max_requests && ++state.handled >= state.settings.max_requests && worker_alive()) {
            log::info("Autorestarting worker after current request.");
            stop_worker();
        }
        if (!state.accepting) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(net::Socket::shutdown_send, ignored);
    socket.close(ignored);
    --state.open_connections;
}

awaitable<void> accept_connections(net::Acceptor& acceptor, WorkerState& state) {
    net::AcceptBackoff backoff;
    asio::steady_timer pause(acceptor.get_executor());
    while (state.accepting) {
        auto [error, socket] = co_await acceptor.async_accept(use_tuple);
        if (error == asio::error::operation_aborted) break;
        if (net::is_out_of_resources(error)) {  // out of descriptors: pause, do not spin
            if (backoff.failed()) log::error("{}", net::out_of_resources_message(error));
            pause.expires_after(net::AcceptBackoff::pause);
            co_await pause.async_wait(use_tuple);
            continue;
        }
        if (error) continue;  // another worker took it, or the client gave up
        backoff.succeeded();
        net::disable_nagle(socket);
        asio::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket), state), asio::detached);
    }
}

// The worker's own heartbeat and signal checks, once a second (or every
// timeout/2). On TERM: stop accepting, let open connections finish within
// --graceful-timeout, then end the event loop.
awaitable<void> housekeeping(asio::io_context& io, arbiter::WorkerContext& context, WorkerState& state,
                             std::vector<std::unique_ptr<net::Acceptor>>& acceptors) {
    const auto executor = co_await asio::this_coro::executor;  // on its own line (a g++ 12 bug: timed_io.hpp)
    asio::steady_timer timer(executor);
    const auto timeout = state.settings.timeout;
    const auto tick = timeout.count() ? std::min<std::chrono::milliseconds>(std::chrono::seconds(1), timeout / 2)
                                      : std::chrono::milliseconds(1000);
    std::optional<std::chrono::steady_clock::time_point> deadline;
    while (true) {
        context.beat();
        if (take_reopen_request()) log::reopen_log_files();
        if (!deadline && (!worker_alive() || !context.master_alive())) {
            state.accepting = false;
            for (auto& acceptor : acceptors) acceptor->close();
            deadline = std::chrono::steady_clock::now() + state.settings.graceful_timeout;
        }
        if (deadline && (state.open_connections == 0 || std::chrono::steady_clock::now() >= *deadline)) break;
        timer.expires_after(deadline ? std::chrono::milliseconds(50) : tick);
        co_await timer.async_wait(asio::use_awaitable);
    }
    io.stop();  // connections still open past the deadline end with the process
}
}  // namespace

int run_async_worker(arbiter::WorkerContext& context, const WorkerSettings& settings) {
    install_worker_signals();
    log::info("Booting worker with pid: {}", ::getpid());
    // A new event loop, made after the fork: nothing event-driven crosses it.
    // (1: one thread runs it, and Asio can skip work meant for several.)
    asio::io_context io(1);
    std::vector<std::unique_ptr<net::Acceptor>> acceptors;
    WorkerState state{settings, adjust_environ(settings), true, 0, 0};
    for (auto* listener : settings.listeners) {
        // Our own handle on the shared listening socket, in our own io_context.
        auto& shared = listener->acceptor();
        acceptors.push_back(std::make_unique<net::Acceptor>(io, shared.local_endpoint().protocol(),
                                                            ::dup(shared.native_handle())));
        acceptors.back()->non_blocking(true);
        asio::co_spawn(io, accept_connections(*acceptors.back(), state), asio::detached);
    }
    asio::co_spawn(io, housekeeping(io, context, state, acceptors), asio::detached);
    asio::co_spawn(io, net::run_watchdog(), asio::detached);
    io.run();
    log::info("Worker exiting (pid: {})", ::getpid());
    return 0;
}

}  // namespace webstack::stage3
