// Connections to the upstream, kept open between requests (nginx's
// `keepalive N` in an upstream block; the default since nginx 1.29.7).
// Connecting costs a round trip and, for the app server, an accept(); a
// reused connection costs neither.
//
// A kept connection may have been closed by the upstream meanwhile (its
// keep-alive timeout is shorter than ours, or it restarted). take() drops
// the ones that visibly closed; for the rest, the exchange retries once on
// a fresh connection when a reused one fails before any response byte,
// as nginx does.
#pragma once

#include "net/listener.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <deque>
#include <map>
#include <optional>

namespace webstack::stage4 {

class UpstreamPool {
public:
    // An idle connection to `endpoint`, if one is kept and still open.
    std::optional<net::Socket> take(const boost::asio::ip::tcp::endpoint& endpoint);
    // Keeps `socket` for reuse, unless `keep_at_most` are already kept.
    void give_back(const boost::asio::ip::tcp::endpoint& endpoint, net::Socket socket, int keep_at_most);
    std::size_t idle_connections() const;

private:
    std::map<boost::asio::ip::tcp::endpoint, std::deque<net::Socket>> idle_;
};

}  // namespace webstack::stage4
