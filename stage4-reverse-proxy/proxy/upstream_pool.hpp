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

#include <chrono>
#include <deque>
#include <map>
#include <optional>

namespace webstack::stage4 {

// A connection to an upstream, with what the keepalive_ limits count.
struct UpstreamConnection {
    net::Socket socket;
    int requests = 0;                                   // answered on it so far
    std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point idle_since{};
};

// The upstream block's keepalive_requests, keepalive_time, keepalive_timeout.
struct KeepLimits {
    int keep_at_most = 32;  // keepalive N: idle connections kept per worker
    int requests = 1000;
    std::chrono::milliseconds time{3'600'000};
    std::chrono::milliseconds timeout{60'000};
};

class UpstreamPool {
public:
    // An idle connection to `endpoint`, if one is kept (none idle longer
    // than `limits.timeout`). With `check`, one more system call makes sure
    // the upstream has not closed it (for a request that must not be
    // retried); without, a stale connection shows when the request fails
    // on it, and is retried.
    // `group`: the upstream block (nullptr for a plain address): each block
    // keeps its own connections, even to a server another block names too.
    std::optional<UpstreamConnection> take(const void* group, const boost::asio::ip::tcp::endpoint& endpoint, bool check,
                                           const KeepLimits& limits);
    // Counts one more answer on `connection` and keeps it for reuse, unless
    // it has served keepalive_requests or keepalive_time, or `keep_at_most`
    // are already kept.
    void give_back(const void* group, const boost::asio::ip::tcp::endpoint& endpoint, UpstreamConnection connection,
                   const KeepLimits& limits);

private:
    std::map<std::pair<const void*, boost::asio::ip::tcp::endpoint>, std::deque<UpstreamConnection>> idle_;
};

}  // namespace webstack::stage4
