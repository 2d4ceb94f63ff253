// Connections to the upstream, kept open between requests (nginx's
// `keepalive N` in an upstream block; the default since nginx 1.29.7).
// Connecting costs a round trip and, for the app server, an accept(); a
// reused connection costs neither.
//
// A kept connection may have been closed by the upstream meanwhile (its
// keep-alive timeout is shorter than ours, or it restarted). The exchange
// then tries again on a fresh connection when a reused one fails (an error,
// not a timeout) before any response byte and the request may be sent
// again (retry.hpp), as nginx does; POST, PATCH and LOCK may not be sent
// twice: for those take() checks the connection first.
#pragma once

#include "net/listener.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <deque>
#include <map>
#include <optional>

namespace webstack::stage4 {

class UpstreamPool {
public:
    // An idle connection to `endpoint`, if one is kept. With `check`, one
    // more system call makes sure the upstream has not closed it (for a
    // request that must not be retried); without, a stale connection shows
    // when the request fails on it, and is retried.
    std::optional<net::Socket> take(const boost::asio::ip::tcp::endpoint& endpoint, bool check);
    // Keeps `socket` for reuse, unless `keep_at_most` are already kept.
    void give_back(const boost::asio::ip::tcp::endpoint& endpoint, net::Socket socket, int keep_at_most);

private:
    std::map<boost::asio::ip::tcp::endpoint, std::deque<net::Socket>> idle_;
};

}  // namespace webstack::stage4
