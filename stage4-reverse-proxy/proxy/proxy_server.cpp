#include "proxy/proxy_server.hpp"

#include "log/log.hpp"
#include "net/timed_io.hpp"
#include "proxy/access_logs.hpp"
#include "proxy/tls.hpp"
#include "proxy/variables.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <csignal>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <tuple>
#include <unistd.h>
#include <fmt/format.h>

namespace webstack::stage4 {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {
// listen's socket options; accepted connections inherit the buffer sizes.
void apply_listen_options(net::Listener& listener, const ListenAddress& listen) {
    const int fd = listener.acceptor().native_handle();
    if (listen.rcvbuf) {
        const int bytes = static_cast<int>(listen.rcvbuf);
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    }
    if (listen.sndbuf) {
        const int bytes = static_cast<int>(listen.sndbuf);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
    }
    if (listen.deferred) {
        const int seconds = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds);
    }
}
}  // namespace

std::vector<OpenListener> bind_listeners(asio::io_context& io, const Config& config,
                                         const std::vector<OpenListener>& open) {
    std::vector<OpenListener> listeners;
    for (const auto& group : group_by_listen_address(config)) {
        const auto text = group.address.text();
        const auto reused =
            std::find_if(open.begin(), open.end(), [&](const OpenListener& listener) { return listener.address == text; });
        if (reused != open.end()) {
            listeners.push_back(*reused);
            listeners.back().ssl = group.address.ssl;
            continue;
        }
        const auto address = net::parse_bind_address(text);
        if (!address.error.empty()) throw net::ListenError("bad listen address " + text);
        try {
            const auto& listen = group.address;
            auto listener = std::make_shared<net::Listener>(io, address.address, listen.backlog, listen.reuseport);
            apply_listen_options(*listener, listen);
            listeners.push_back({text, std::move(listener), listen.ssl});
        } catch (const net::ListenError& error) {
            if (error.address.empty()) throw;
            // nginx's words: bind() to 127.0.0.1:8080 failed (98: Address already in use)
            throw net::ListenError(fmt::format("bind() to {} failed ({}: {}): stop the other server, or change the "
                                               "listen directive in {}",
                                               error.address, error.error.value(), error.error.message(),
                                               group.servers.front()->where.text()));
        }
    }
    return listeners;
}

ProxyServer::ProxyServer(asio::io_context& io, const Config& config,
                         const std::vector<OpenListener>& listeners, pid_t master, const ContentHandler* content,
                         const TlsContexts* tls)
    : io_(io), config_(config), groups_(group_by_listen_address(config)), master_(master), content_(content), tls_(tls) {
    for (const auto& open : listeners) {
        // Our own handle on the shared socket, in our own event loop: nothing
        // event-driven crosses the fork.
        auto& shared = open.listener->acceptor();
        acceptors_.push_back(
            std::make_unique<net::Acceptor>(io_, shared.local_endpoint().protocol(), ::dup(shared.native_handle())));
        acceptors_.back()->non_blocking(true);  // another worker may win the race for a connection
    }
}

void ProxyServer::run() {
    for (std::size_t i = 0; i < groups_.size(); ++i)
        asio::co_spawn(io_, accept_loop(*acceptors_[i], groups_[i]), asio::detached);
    asio::co_spawn(io_, wait_for_signals(), asio::detached);
    asio::co_spawn(io_, net::run_watchdog(), asio::detached);
    if (master_) asio::co_spawn(io_, watch_master(), asio::detached);
    io_.run();
}

asio::awaitable<void> ProxyServer::accept_loop(net::Acceptor& acceptor, const ListenGroup& group) {
    net::AcceptBackoff backoff;
    asio::steady_timer pause(io_);
    while (!registry_.stopping()) {
        auto [error, socket] = co_await acceptor.async_accept(use_tuple);
        if (error == asio::error::operation_aborted || registry_.stopping()) break;
        if (net::is_out_of_resources(error)) {
            // nginx: log, stop accepting for accept_mutex_delay, serve what is open.
            if (backoff.failed())
                log::write(log::Level::Critical, fmt::format("accept4() failed ({}: {})", error.value(), error.message()));
            pause.expires_after(net::AcceptBackoff::pause);
            co_await pause.async_wait(use_tuple);
            continue;
        }
        if (error) continue;  // another worker took it, or the client gave up
        backoff.succeeded();
        // nginx's tcp_nodelay on: a small last piece of a response leaves at
        // once, instead of waiting for the client's ACK of the piece before.
        net::disable_nagle(socket);
        if (registry_.open_connections() >= config_.worker_connections) {
            // nginx's answer when full: drop the newcomer, and say so.
            log::write(log::Level::Critical,
                       std::to_string(config_.worker_connections) + " worker_connections are not enough");
            continue;  // the socket closes as it goes out of scope
        }
        auto served = group.address.ssl && tls_ ? tls_->serve(std::move(socket), group, registry_, upstreams_, content_)
                                                : serve_client(std::move(socket), group, registry_, upstreams_, content_);
        asio::co_spawn(io_, std::move(served),
                       [](std::exception_ptr failure) {
                           // A bug in one connection must not pass silently.
                           if (!failure) return;
                           try {
                               std::rethrow_exception(failure);
                           } catch (const std::exception& error) {
                               log::write(log::Level::Critical, std::string("connection failed: ") + error.what());
                           }
                       });
    }
}

// A worker whose master is gone (killed with -9, say) stops on its own.
asio::awaitable<void> ProxyServer::watch_master() {
    asio::steady_timer timer(io_);
    while (!registry_.stopping()) {
        if (::getppid() != master_) {
            co_await stop_gracefully();
            co_return;
        }
        timer.expires_after(std::chrono::seconds(1));
        co_await timer.async_wait(use_tuple);
    }
}

// QUIT: nginx's graceful shutdown. Stop accepting, let requests in flight
// finish, close idle connections.
asio::awaitable<void> ProxyServer::stop_gracefully() {
    registry_.stop_gracefully();
    for (auto& acceptor : acceptors_) {
        boost::system::error_code ignored;
        acceptor->close(ignored);
    }
    asio::steady_timer timer(io_);
    while (registry_.open_connections() > 0) {
        timer.expires_after(std::chrono::milliseconds(50));
        co_await timer.async_wait(use_tuple);
    }
    net::stop_watchdog();
    io_.stop();
}

asio::awaitable<void> ProxyServer::wait_for_signals() {
    // The master passes nginx's meanings on: QUIT to finish and leave,
    // TERM to leave now (INT comes from Ctrl-C, to the whole process group).
    // USR1 (from the master, after a log rotation): reopen the log files.
    asio::signal_set signals(io_, SIGQUIT, SIGTERM, SIGINT);
    signals.add(SIGUSR1);
    boost::system::error_code error;
    int signal_number = 0;
    while (true) {
        std::tie(error, signal_number) = co_await signals.async_wait(use_tuple);
        if (error) co_return;
        if (signal_number != SIGUSR1) break;
        log::reopen_log_files();
        reopen_access_logs();
    }
    if (signal_number != SIGQUIT) {
        log::notice("exiting");
        net::stop_watchdog();
        io_.stop();
        co_return;
    }
    log::notice("gracefully shutting down");
    co_await stop_gracefully();
}

}  // namespace webstack::stage4
