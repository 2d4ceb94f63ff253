// The proxy as a whole: a listening socket per `listen` address, a
// coroutine per client connection, and nginx's stop signals.
#pragma once

#include "config/config.hpp"
#include "net/listener.hpp"
#include "proxy/client_connection.hpp"
#include "proxy/routing.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <vector>

namespace webstack::stage4 {

// Checks what only the proxy knows: the variables the config names.
// Throws ConfigError (`unknown "foo" variable`).
void check_variables(const Config& config);

class ProxyServer {
public:
    // Binds every listen address; throws net::ListenError (port in use, ...).
    ProxyServer(boost::asio::io_context& io, const Config& config);
    // Accepts and serves until stopped: QUIT stops gracefully (requests in
    // flight finish; idle connections close), TERM and INT stop at once.
    void run();

private:
    boost::asio::awaitable<void> accept_loop(net::Listener& listener, const ListenGroup& group);
    boost::asio::awaitable<void> wait_for_signals();

    boost::asio::io_context& io_;
    const Config& config_;
    std::vector<ListenGroup> groups_;
    std::vector<std::unique_ptr<net::Listener>> listeners_;
    ConnectionRegistry registry_;
    Upstreams upstreams_;  // kept connections and balancing state, shared by all clients
};

}  // namespace webstack::stage4
