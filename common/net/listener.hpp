// A listening socket for TCP or a Unix socket, opened from a BindAddress.
// Asio's generic stream protocol lets one socket type carry both families,
// so the servers above never care which one they got.
#pragma once

#include "net/bind_address.hpp"

#include <boost/asio.hpp>

#include <stdexcept>
#include <string>

namespace webstack::net {

namespace asio = boost::asio;
using StreamProtocol = asio::generic::stream_protocol;
using Socket = StreamProtocol::socket;
using Acceptor = asio::basic_socket_acceptor<StreamProtocol>;

// Why a listener could not be opened, in one line that names the fix.
class ListenError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Listener {
public:
    // Binds and listens; throws ListenError (e.g. the port is in use).
    Listener(asio::io_context& io, const BindAddress& address, int backlog = 2048);
    ~Listener();
    Listener(Listener&&) = default;

    Acceptor& acceptor() { return acceptor_; }
    int native_handle() { return acceptor_.native_handle(); }
    // "http://127.0.0.1:8000" (with the port the kernel chose) or "unix:/tmp/x.sock".
    const std::string& url() const { return url_; }

private:
    Acceptor acceptor_;
    std::string url_;
    std::string unix_path_;   // removed again when the listener closes
};

// "127.0.0.1:54321" for a TCP peer, "unix" for a Unix socket peer.
std::string peer_name(const Socket& socket);

}  // namespace webstack::net
