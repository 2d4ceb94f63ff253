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

std::optional<net::Socket> UpstreamPool::take(const boost::asio::ip::tcp::endpoint& endpoint, bool check) {
    auto found = idle_.find(endpoint);
    if (found == idle_.end()) return std::nullopt;
    auto& sockets = found->second;
    while (!sockets.empty()) {
        net::Socket socket = std::move(sockets.back());  // the most recently used is the most likely alive
        sockets.pop_back();
        if (!check || still_open(socket)) return socket;
    }
    return std::nullopt;
}

void UpstreamPool::give_back(const boost::asio::ip::tcp::endpoint& endpoint, net::Socket socket, int keep_at_most) {
    auto& sockets = idle_[endpoint];
    if (static_cast<int>(sockets.size()) >= keep_at_most) return;  // closes as it goes out of scope
    sockets.push_back(std::move(socket));
}

}  // namespace webstack::stage4
