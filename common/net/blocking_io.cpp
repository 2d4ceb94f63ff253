#include "net/blocking_io.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>

#include "log/log.hpp"

#include "net/stop_signals.hpp"

#include <algorithm>
#include <cerrno>
#include <limits>
#include <poll.h>
#include <sys/socket.h>

namespace webstack::net {

namespace {
// poll()'s timeout in milliseconds: -1 for no deadline, and never more
// than an int holds.
int poll_timeout(Clock::time_point deadline) {
    if (deadline == no_deadline) return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, std::numeric_limits<int>::max()));
}

WaitResult wait_for(int fd, short events, Clock::time_point deadline) {
    while (true) {
        if (stop_requested()) return WaitResult::Stopped;
        const int timeout = poll_timeout(deadline);
        if (timeout == 0) return WaitResult::TimedOut;
        pollfd entries[2] = {{fd, events, 0}, {stop_wakeup_fd(), POLLIN, 0}};
        const int ready = ::poll(entries, 2, timeout);
        if (entries[1].revents != 0) continue;  // a stop signal: the loop says so
        if (ready > 0) return WaitResult::Ready;  // readable, writable, or an error to discover
        if (ready < 0 && errno != EINTR) return WaitResult::Ready;  // let the read/write report it
    }
}
}  // namespace

WaitResult wait_readable(int fd, Clock::time_point deadline) { return wait_for(fd, POLLIN, deadline); }
WaitResult wait_writable(int fd, Clock::time_point deadline) { return wait_for(fd, POLLOUT, deadline); }

ReadStatus read_some(Socket& socket, std::string& buffer, Clock::time_point deadline) {
    char chunk[64 * 1024];
    while (true) {
        // Try first: often the bytes are already there, and a poll() would
        // only cost a system call. MSG_DONTWAIT makes this one read non-blocking.
        const auto count = ::recv(socket.native_handle(), chunk, sizeof chunk, MSG_DONTWAIT);
        if (count > 0) {
            buffer.append(chunk, static_cast<std::size_t>(count));
            return ReadStatus::Data;
        }
        if (count == 0) return ReadStatus::Closed;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return ReadStatus::Failed;
        switch (wait_readable(socket.native_handle(), deadline)) {
            case WaitResult::TimedOut: return ReadStatus::TimedOut;
            case WaitResult::Stopped: return ReadStatus::Stopped;
            case WaitResult::Ready: break;
        }
    }
}

bool write_all(Socket& socket, std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
        const auto count = ::send(socket.native_handle(), data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (count > 0) {
            data.remove_prefix(static_cast<std::size_t>(count));
            continue;
        }
        if (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
        if (wait_writable(socket.native_handle(), deadline) != WaitResult::Ready) return false;
    }
    return true;
}

bool send_file_all(Socket& socket, int file_fd, std::int64_t offset, std::size_t count, Clock::time_point deadline) {
    // sendfile() has no MSG_DONTWAIT: the socket is made non-blocking for
    // the while, so that a slow reader costs a wait with a deadline, not a
    // wait forever.
    const int fd = socket.native_handle();
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    off_t position = static_cast<off_t>(offset);
    bool sent = true;
    while (count > 0) {
        const auto done = ::sendfile(fd, file_fd, &position, count);
        if (done > 0) {
            count -= static_cast<std::size_t>(done);
            continue;
        }
        if (done == 0 || (errno != EAGAIN && errno != EINTR) || wait_writable(fd, deadline) != WaitResult::Ready) {
            sent = false;  // 0: the file is shorter than promised
            break;
        }
    }
    ::fcntl(fd, F_SETFL, flags);
    return sent;
}

std::optional<Socket> accept_until(Listener& listener, Clock::time_point deadline) {
    while (true) {
        if (wait_readable(listener.native_handle(), deadline) != WaitResult::Ready) return std::nullopt;
        boost::system::error_code error;
        Socket socket = listener.acceptor().accept(error);
        if (!error) {
            listener.backoff().succeeded();
            disable_nagle(socket);
            return socket;
        }
        if (is_out_of_resources(error)) {
            if (listener.backoff().failed()) log::error("{}", out_of_resources_message(error));
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            ::poll(nullptr, 0, static_cast<int>(std::clamp(left, std::chrono::milliseconds(0), AcceptBackoff::pause).count()));
            return std::nullopt;
        }
        // ECONNABORTED: the client gave up while queued; take the next one.
    }
}

void close_now(Socket& socket) {
    boost::system::error_code ignored;
    socket.shutdown(Socket::shutdown_send, ignored);
    socket.close(ignored);
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
