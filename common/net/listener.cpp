#include "net/listener.hpp"

#include <fmt/format.h>

#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <sys/stat.h>
#include <sys/un.h>
#include <tuple>
#include <unistd.h>

namespace webstack::net {

namespace {
using tcp = asio::ip::tcp;

std::string describe(const BindAddress& address) {
    if (auto* unix_address = std::get_if<UnixAddress>(&address)) return "unix:" + unix_address->path;
    const auto& tcp_address = std::get<TcpAddress>(address);
    if (tcp_address.host.find(':') != std::string::npos)
        return fmt::format("[{}]:{}", tcp_address.host, tcp_address.port);
    return fmt::format("{}:{}", tcp_address.host, tcp_address.port);
}

std::string url_of(const tcp::endpoint& endpoint) {
    const auto host = endpoint.address().to_string();
    if (endpoint.address().is_v6()) return fmt::format("http://[{}]:{}", host, endpoint.port());
    return fmt::format("http://{}:{}", host, endpoint.port());
}

[[noreturn]] void fail(const BindAddress& address, const boost::system::error_code& error) {
    const auto where = describe(address);
    if (error == asio::error::address_in_use)
        throw ListenError(fmt::format("{} is already in use: stop the other server, or pick another "
                                      "address with --bind (port 0 picks a free port)", where), where, error);
    if (error == asio::error::access_denied)
        throw ListenError(fmt::format("no permission to listen on {} (ports below 1024 need root): "
                                      "pick another address with --bind", where), where, error);
    throw ListenError(fmt::format("cannot listen on {}: {}", where, error.message()), where, error);
}
}  // namespace

Listener::Listener(asio::io_context& io, const BindAddress& address, int backlog, bool reuse_port) : acceptor_(io) {
    boost::system::error_code error;
    StreamProtocol::endpoint endpoint;
    if (auto* unix_address = std::get_if<UnixAddress>(&address)) {
        // A socket file left by a server that died would block us forever;
        // Gunicorn removes it too. Anything that is not a socket stays.
        struct stat info {};
        if (::stat(unix_address->path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode)) ::unlink(unix_address->path.c_str());
        endpoint = asio::local::stream_protocol::endpoint(unix_address->path);
        unix_path_ = unix_address->path;
        url_ = "unix:" + unix_address->path;
    } else {
        const auto& tcp_address = std::get<TcpAddress>(address);
        tcp::resolver resolver(io);
        auto results = resolver.resolve(tcp_address.host, std::to_string(tcp_address.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service, error);
        if (error || results.empty())
            throw ListenError(fmt::format("cannot resolve host \"{}\" in --bind: {}", tcp_address.host,
                                          error ? error.message() : "no addresses"));
        endpoint = results.begin()->endpoint();
    }

    acceptor_.open(endpoint.protocol(), error);
    if (error) fail(address, error);
    if (std::holds_alternative<TcpAddress>(address)) acceptor_.set_option(asio::socket_base::reuse_address(true));
    if (reuse_port) {
        const int on = 1;
        ::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    }
    acceptor_.bind(endpoint, error);
    if (error) fail(address, error);
    acceptor_.listen(backlog, error);
    if (error) fail(address, error);

    if (std::holds_alternative<TcpAddress>(address)) {
        // Ask the socket which port it got: with port 0 the kernel chose one.
        sockaddr_storage storage{};
        socklen_t length = sizeof storage;
        ::getsockname(acceptor_.native_handle(), reinterpret_cast<sockaddr*>(&storage), &length);
        tcp::endpoint bound;
        std::memcpy(bound.data(), &storage, length);
        url_ = url_of(bound);
    }
}

Listener::Listener(asio::io_context& io, int listening_fd, std::string url) : acceptor_(io), url_(std::move(url)) {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getsockname(listening_fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0)
        throw ListenError("the inherited listening socket is not a socket");
    const StreamProtocol protocol(storage.ss_family, 0);
    boost::system::error_code error;
    acceptor_.assign(protocol, listening_fd, error);
    if (error) throw ListenError("cannot take over the inherited listening socket: " + error.message());
}

void Listener::close() {
    if (!acceptor_.is_open()) return;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

Listener::~Listener() {
    if (!unix_path_.empty() && acceptor_.is_open()) ::unlink(unix_path_.c_str());
}

namespace {
// Host and port of a socket address, or nothing for a Unix socket.
std::optional<std::pair<std::string, std::string>> host_and_port(const StreamProtocol::endpoint& endpoint) {
    const auto* address = endpoint.data();
    if (address->sa_family != AF_INET && address->sa_family != AF_INET6) return std::nullopt;
    tcp::endpoint ip;
    std::memcpy(ip.data(), address, endpoint.size());
    return std::pair{ip.address().to_string(), std::to_string(ip.port())};
}
}  // namespace

Endpoints endpoints_of(const Socket& socket) {
    boost::system::error_code error;
    Endpoints endpoints;
    const auto local = socket.local_endpoint(error);
    if (error) return endpoints;
    if (auto ours = host_and_port(local)) {
        std::tie(endpoints.server_host, endpoints.server_port) = *ours;
        if (auto theirs = host_and_port(socket.remote_endpoint(error)); theirs && !error)
            std::tie(endpoints.remote_host, endpoints.remote_port) = *theirs;
    } else {
        const auto* unix_address = reinterpret_cast<const sockaddr_un*>(local.data());
        endpoints.server_host = unix_address->sun_path;
        endpoints.server_port = "80";
    }
    return endpoints;
}

void disable_nagle(Socket& socket) {
    const int on = 1;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // fails harmlessly on Unix sockets
}

}  // namespace webstack::net
