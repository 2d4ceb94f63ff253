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
// graceful stop closes those at once, as nginx does on QUIT). A connection
// is listed once, when it opens; going idle and busy again between
// requests only flips a flag (no list work for each request).
class ConnectionRegistry {
public:
    struct Entry {
        net::Socket* socket = nullptr;
        bool idle = false;  // waiting for the next request
    };
    // Lists the connection while it lives.
    class OpenGuard {
    public:
        OpenGuard(ConnectionRegistry& registry, net::Socket& socket)
            : registry_(registry), entry_(registry.open_.insert(registry.open_.end(), Entry{&socket})) {}
        ~OpenGuard() { registry_.open_.erase(entry_); }
        OpenGuard(const OpenGuard&) = delete;
        OpenGuard& operator=(const OpenGuard&) = delete;
        Entry& entry() { return *entry_; }
    private:
        ConnectionRegistry& registry_;
        std::list<Entry>::iterator entry_;
    };
    // Marks the connection idle while it lives.
    class IdleMark {
    public:
        explicit IdleMark(Entry& entry) : entry_(entry) { entry_.idle = true; }
        ~IdleMark() { entry_.idle = false; }
        IdleMark(const IdleMark&) = delete;
        IdleMark& operator=(const IdleMark&) = delete;
    private:
        Entry& entry_;
    };

    OpenGuard open(net::Socket& socket) { return OpenGuard(*this, socket); }
    int open_connections() const { return static_cast<int>(open_.size()); }
    bool stopping() const { return stopping_; }
    // Graceful stop: no new requests; idle connections are closed now.
    void stop_gracefully() {
        stopping_ = true;
        for (auto& entry : open_) {
            if (entry.idle) entry.socket->cancel();
        }
    }

private:
    bool stopping_ = false;
    std::list<Entry> open_;
};

// What a connection that came through TLS (tls.hpp) says about itself: its
// socket is then one end of a socket pair, which knows no addresses.
struct DecryptedConnection {
    net::Endpoints endpoints;  // the client's and ours, from the TLS connection
};

// `content`: what answers locations that do not proxy (nullptr: 404).
// `decrypted`: set when the bytes came through TLS ($scheme is https).
boost::asio::awaitable<void> serve_client(net::Socket socket, const ListenGroup& group, ConnectionRegistry& registry,
                                          Upstreams& upstreams, const ContentHandler* content,
                                          std::optional<DecryptedConnection> decrypted = std::nullopt);

}  // namespace webstack::stage4
