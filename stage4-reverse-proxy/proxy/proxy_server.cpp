#include "proxy/proxy_server.hpp"

#include "log/log.hpp"
#include "proxy/timed_io.hpp"
#include "proxy/variables.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <fmt/format.h>

namespace webstack::stage4 {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {
void check_text(const std::string& text, const SourceLocation& where) {
    for (const auto& name : variables_in(text)) {
        if (!is_known_variable(name)) throw ConfigError("unknown \"" + name + "\" variable", where);
    }
}

void check_settings(const Settings& settings, const SourceLocation& where) {
    for (const auto& header : settings.proxy_set_header) check_text(header.value, where);
    check_text(settings.proxy_redirect.from, where);
    check_text(settings.proxy_redirect.to, where);
}
}  // namespace

void check_variables(const Config& config) {
    for (const auto& server : config.servers) {
        check_settings(server.settings, server.where);
        if (server.return_directive) check_text(server.return_directive->text, server.where);
        for (const auto& location : server.locations) {
            check_settings(location.settings, location.where);
            if (location.return_directive) check_text(location.return_directive->text, location.where);
        }
    }
}

ProxyServer::ProxyServer(asio::io_context& io, const Config& config)
    : io_(io), config_(config), groups_(group_by_listen_address(config)) {
    for (const auto& group : groups_) {
        const auto address = net::parse_bind_address(group.address.text());
        if (!address.error.empty()) throw net::ListenError("bad listen address " + group.address.text());
        try {
            listeners_.push_back(std::make_unique<net::Listener>(io_, address.address));
        } catch (const net::ListenError& error) {
            if (error.address.empty()) throw;
            // nginx's words: bind() to 127.0.0.1:8080 failed (98: Address already in use)
            throw net::ListenError(fmt::format("bind() to {} failed ({}: {}): stop the other server, or change the "
                                               "listen directive in {}",
                                               error.address, error.error.value(), error.error.message(),
                                               group.servers.front()->where.text()));
        }
    }
}

void ProxyServer::run() {
    for (std::size_t i = 0; i < groups_.size(); ++i) {
        log::notice("Listening at: " + listeners_[i]->url());
        asio::co_spawn(io_, accept_loop(*listeners_[i], groups_[i]), asio::detached);
    }
    asio::co_spawn(io_, wait_for_signals(), asio::detached);
    asio::co_spawn(io_, run_watchdog(), asio::detached);
    io_.run();
}

asio::awaitable<void> ProxyServer::accept_loop(net::Listener& listener, const ListenGroup& group) {
    while (!registry_.stopping()) {
        auto [error, socket] = co_await listener.acceptor().async_accept(use_tuple);
        if (error == asio::error::operation_aborted || registry_.stopping()) break;
        if (error) continue;  // the client gave up before we took it
        if (registry_.open_connections() >= config_.worker_connections) {
            // nginx's answer when full: drop the newcomer, and say so.
            log::write(log::Level::Critical,
                       std::to_string(config_.worker_connections) + " worker_connections are not enough");
            continue;  // the socket closes as it goes out of scope
        }
        asio::co_spawn(io_, serve_client(std::move(socket), group, registry_, upstreams_),
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

asio::awaitable<void> ProxyServer::wait_for_signals() {
    asio::signal_set signals(io_, SIGQUIT, SIGTERM, SIGINT);
    signals.add(SIGHUP);
    while (true) {
        auto [error, signal_number] = co_await signals.async_wait(use_tuple);
        if (error) co_return;
        if (signal_number == SIGHUP) {
            log::notice("signal 1 (SIGHUP) received: reloading the configuration arrives in part 2; ignored");
            continue;
        }
        if (signal_number != SIGQUIT) {
            // TERM and INT: nginx's fast shutdown.
            log::notice("signal " + std::to_string(signal_number) + " (" + (signal_number == SIGTERM ? "SIGTERM" : "SIGINT") +
                        ") received, exiting");
            io_.stop();
            co_return;
        }
        // QUIT: nginx's graceful shutdown. Stop listening, let requests in
        // flight finish, close idle connections.
        log::notice("signal 3 (SIGQUIT) received, shutting down gracefully");
        registry_.stop_gracefully();
        for (auto& listener : listeners_) listener->close();
        asio::steady_timer timer(io_);
        while (registry_.open_connections() > 0) {
            timer.expires_after(std::chrono::milliseconds(50));
            co_await timer.async_wait(use_tuple);
        }
        log::notice("exit");
        stop_watchdog();
        io_.stop();
        co_return;
    }
}

}  // namespace webstack::stage4
