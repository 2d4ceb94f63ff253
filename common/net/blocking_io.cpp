#include "net/blocking_io.hpp"

#include "net/stop_signals.hpp"

#include <cerrno>
#include <poll.h>

namespace webstack::net {

namespace {
WaitResult wait_for(int fd, short events, Clock::time_point deadline) {
    while (true) {
        if (stop_requested()) return WaitResult::Stopped;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return WaitResult::TimedOut;
        pollfd entry{fd, events, 0};
        const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
        if (ready > 0) return WaitResult::Ready;  // readable, writable, or an error to discover
        if (ready < 0 && errno != EINTR) return WaitResult::Ready;  // let the read/write report it
    }
}
}  // namespace

WaitResult wait_readable(int fd, Clock::time_point deadline) { return wait_for(fd, POLLIN, deadline); }
WaitResult wait_writable(int fd, Clock::time_point deadline) { return wait_for(fd, POLLOUT, deadline); }

ReadStatus read_some(Socket& socket, std::string& buffer, Clock::time_point deadline) {
    switch (wait_readable(socket.native_handle(), deadline)) {
        case WaitResult::TimedOut: return ReadStatus::TimedOut;
        case WaitResult::Stopped: return ReadStatus::Stopped;
        case WaitResult::Ready: break;
    }
    char chunk[64 * 1024];
    boost::system::error_code error;
    const auto count = socket.read_some(asio::buffer(chunk), error);
    if (error == asio::error::eof) return ReadStatus::Closed;
    if (error) return ReadStatus::Failed;
    buffer.append(chunk, count);
    return ReadStatus::Data;
}

bool write_all(Socket& socket, std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
        if (wait_writable(socket.native_handle(), deadline) != WaitResult::Ready) return false;
        boost::system::error_code error;
        const auto count = socket.write_some(asio::buffer(data.data(), data.size()), error);
        if (error == asio::error::would_block || error == asio::error::try_again) continue;
        if (error) return false;
        data.remove_prefix(count);
    }
    return true;
}

std::optional<Socket> accept_until(Listener& listener, Clock::time_point deadline) {
    while (true) {
        if (wait_readable(listener.native_handle(), deadline) != WaitResult::Ready) return std::nullopt;
        boost::system::error_code error;
        Socket socket = listener.acceptor().accept(error);
        if (!error) return socket;
        // ECONNABORTED (the client gave up while queued) or EMFILE: keep going.
    }
}

void close_gracefully(Socket& socket, std::chrono::milliseconds quiet, std::chrono::milliseconds linger) {
    boost::system::error_code ignored;
    socket.shutdown(Socket::shutdown_send, ignored);
    const auto give_up = Clock::now() + linger;
    std::string discarded;
    while (true) {
        discarded.clear();
        const auto deadline = std::min(give_up, Clock::now() + quiet);
        if (read_some(socket, discarded, deadline) != ReadStatus::Data) break;
    }
    socket.close(ignored);
}

}  // namespace webstack::net
