// One worker process of the proxy: a coroutine per client connection on
// the listening sockets the master opened, and nginx's stop signals.
#pragma once

#include "config/config.hpp"
#include "net/listener.hpp"
#include "proxy/client_connection.hpp"
#include "proxy/routing.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <sys/types.h>
#include <vector>

namespace webstack::stage4 {

class TlsContexts;  // tls.hpp

// Checks what only the proxy knows: the variables the config names.
// Throws ConfigError (`unknown "foo" variable`).
void check_variables(const Config& config);

// A listening socket, and the address as the configuration wrote it
// ("127.0.0.1:0"), so that a reload can tell which sockets it already has.
struct OpenListener {
    std::string address;
    std::shared_ptr<net::Listener> listener;
    bool ssl = false;  // `listen ... ssl`: logged as https://
};

// Binds every listen address of `config`, reusing those of `open` with the
// same address (a reload keeps its sockets); the result is in the order of
// group_by_listen_address(config). Throws net::ListenError (port in use, ...).
std::vector<OpenListener> bind_listeners(boost::asio::io_context& io, const Config& config,
                                         const std::vector<OpenListener>& open);

class ProxyServer {
public:
    // `listeners`: from bind_listeners, opened by the master; the worker
    // takes its own handle on each. `master`: the process not to outlive
    // (0: none). `content`: what answers locations that do not proxy.
    // `tls`: the certificates for the ssl addresses (nullptr: none).
    ProxyServer(boost::asio::io_context& io, const Config& config, const std::vector<OpenListener>& listeners,
                pid_t master, const ContentHandler* content = nullptr, const TlsContexts* tls = nullptr);
    // Accepts and serves until stopped: QUIT stops gracefully (requests in
    // flight finish; idle connections close), TERM and INT stop at once.
    void run();

private:
    boost::asio::awaitable<void> accept_loop(net::Acceptor& acceptor, const ListenGroup& group);
    boost::asio::awaitable<void> wait_for_signals();
    boost::asio::awaitable<void> watch_master();
    boost::asio::awaitable<void> stop_gracefully();

    boost::asio::io_context& io_;
    const Config& config_;
    std::vector<ListenGroup> groups_;
    std::vector<std::unique_ptr<net::Acceptor>> acceptors_;
    pid_t master_;
    const ContentHandler* content_;
    const TlsContexts* tls_;
    ConnectionRegistry registry_;
    Upstreams upstreams_;  // kept connections and balancing state, shared by all clients
};

}  // namespace webstack::stage4
