// One client connection: read a request head, route it, answer or proxy
// it, and again while the connection is kept alive.
#pragma once

#include "net/listener.hpp"
#include "proxy/content_handler.hpp"
#include "proxy/routing.hpp"
#include "proxy/upstreams.hpp"

#include <boost/asio/awaitable.hpp>

#include <list>

namespace webstack::stage4 {

// What the server knows of its open connections: how many there are (a
// graceful stop waits for them), and which wait idle between requests (a
// graceful stop closes those at once, as nginx does on QUIT).
class ConnectionRegistry {
public:
    // Counts the connection while it lives.
    class OpenGuard {
    public:
        explicit OpenGuard(ConnectionRegistry& registry) : registry_(registry) { ++registry_.open_; }
        ~OpenGuard() { --registry_.open_; }
        OpenGuard(const OpenGuard&) = delete;
        OpenGuard& operator=(const OpenGuard&) = delete;
    private:
        ConnectionRegistry& registry_;
    };
    // Lists the socket as idle while it lives.
    class IdleGuard {
    public:
        IdleGuard() = default;
        IdleGuard(ConnectionRegistry* registry, std::list<net::Socket*>::iterator entry)
            : registry_(registry), entry_(entry) {}
        IdleGuard(IdleGuard&& other) noexcept : registry_(other.registry_), entry_(other.entry_) { other.registry_ = nullptr; }
        IdleGuard& operator=(IdleGuard&&) = delete;
        ~IdleGuard() { if (registry_) registry_->idle_.erase(entry_); }
    private:
        ConnectionRegistry* registry_ = nullptr;
        std::list<net::Socket*>::iterator entry_;
    };

    OpenGuard open() { return OpenGuard(*this); }
    IdleGuard idle(net::Socket& socket) { return {this, idle_.insert(idle_.end(), &socket)}; }
    int open_connections() const { return open_; }
    bool stopping() const { return stopping_; }
    // Graceful stop: no new requests; idle connections are closed now.
    void stop_gracefully() {
        stopping_ = true;
        for (auto* socket : idle_) socket->cancel();
    }

private:
    int open_ = 0;
    bool stopping_ = false;
    std::list<net::Socket*> idle_;
};

// `content`: what answers locations that do not proxy (nullptr: 404).
boost::asio::awaitable<void> serve_client(net::Socket socket, const ListenGroup& group, ConnectionRegistry& registry,
                                          Upstreams& upstreams, const ContentHandler* content);

}  // namespace webstack::stage4
