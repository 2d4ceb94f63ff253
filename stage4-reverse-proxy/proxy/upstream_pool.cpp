#include "proxy/upstream_pool.hpp"

#include <sys/socket.h>

namespace webstack::stage4 {

namespace {
// An idle connection must have nothing to read: a byte would be garbage,
// and end-of-file means the upstream closed it.
bool still_open(net::Socket& socket) {
    char byte;
    const auto got = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}
}  // namespace

std::optional<UpstreamConnection> UpstreamPool::take(const void* group, const boost::asio::ip::tcp::endpoint& endpoint,
                                                     bool check, const KeepLimits& limits) {
    auto found = idle_.find({group, endpoint});
    if (found == idle_.end()) return std::nullopt;
    auto& connections = found->second;
    const auto now = std::chrono::steady_clock::now();
    while (!connections.empty()) {
        UpstreamConnection connection = std::move(connections.back());  // the most recently used is the most likely alive
        connections.pop_back();
        if (now - connection.idle_since > limits.timeout) continue;     // keepalive_timeout: closes as it goes
        if (!check || still_open(connection.socket)) return connection;
    }
    return std::nullopt;
}

void UpstreamPool::give_back(const void* group, const boost::asio::ip::tcp::endpoint& endpoint,
                             UpstreamConnection connection, const KeepLimits& limits) {
    const auto now = std::chrono::steady_clock::now();
    if (++connection.requests >= limits.requests || now - connection.opened >= limits.time) return;
    auto& connections = idle_[{group, endpoint}];
    if (static_cast<int>(connections.size()) >= limits.keep_at_most) return;  // closes as it goes out of scope
    connection.idle_since = now;
    connections.push_back(std::move(connection));
}

}  // namespace webstack::stage4
