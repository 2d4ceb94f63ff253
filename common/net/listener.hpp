// A listening socket for TCP or a Unix socket, opened from a BindAddress.
// Asio's generic stream protocol lets one socket type carry both families,
// so the servers above never care which one they got.
#pragma once

#include "net/accept_backoff.hpp"
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
    ListenError(const std::string& message, std::string address, boost::system::error_code error)
        : std::runtime_error(message), address(std::move(address)), error(error) {}
    std::string address;              // "127.0.0.1:8000", when binding failed
    boost::system::error_code error;  // what the kernel said, when binding failed
};

class Listener {
public:
    // Binds and listens; throws ListenError (e.g. the port is in use).
    // With reuse_port, SO_REUSEPORT is set (as Gunicorn's --reuse-port does),
    // so another process may bind the same address too.
    Listener(asio::io_context& io, const BindAddress& address, int backlog = 2048, bool reuse_port = false);
    // Takes over a socket that is already listening, inherited from the
    // process that exec'd us (a reload keeps the socket, so no client is refused).
    Listener(asio::io_context& io, int listening_fd, std::string url);
    ~Listener();
    Listener(Listener&&) = default;

    Acceptor& acceptor() { return acceptor_; }
    // Whether accept() is failing for want of descriptors (accept_backoff.hpp).
    AcceptBackoff& backoff() { return backoff_; }
    // Stops listening (and removes a Unix socket's file).
    void close();
    int native_handle() { return acceptor_.native_handle(); }
    // "http://127.0.0.1:8000" (with the port the kernel chose) or "unix:/tmp/x.sock".
    const std::string& url() const { return url_; }

private:
    Acceptor acceptor_;
    AcceptBackoff backoff_;
    std::string url_;
    std::string unix_path_;   // removed again when the listener closes
};

// Sends small writes at once (TCP_NODELAY). By default TCP holds a small
// write back while an earlier one is still unacknowledged (Nagle's
// algorithm), and the peer delays its acknowledgement by up to 40 ms
// hoping to send it with data of its own: a response written in two
// pieces then waits 40 ms for its second piece. Gunicorn sets it on its
// listening socket, nginx on every kept-alive connection (tcp_nodelay on);
// we set it on every connection we accept or open. A Unix socket has no
// Nagle: there the call does nothing.
void disable_nagle(Socket& socket);

// The two ends of a connection, as CGI and WSGI name them.
struct Endpoints {
    std::string server_host, server_port;   // our end: SERVER_NAME, SERVER_PORT
    std::string remote_host, remote_port;   // the client: REMOTE_ADDR, REMOTE_PORT
};
// For a Unix socket there is no client address, and our end is the path
// with port "80", as Gunicorn reports it.
Endpoints endpoints_of(const Socket& socket);

}  // namespace webstack::net
