#include "static/send_file.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <string>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

namespace webstack::stage5 {

namespace asio = boost::asio;
using net::IoResult;
using net::IoStatus;

namespace {
// At most this much per sendfile() call, then let other connections run
// (nginx's sendfile_max_chunk): one fast client must not starve the rest.
constexpr std::uint64_t max_chunk = 2 * 1024 * 1024;

IoResult failure(int error) { return {IoStatus::Failed, boost::system::error_code(error, boost::system::system_category())}; }
}  // namespace

asio::awaitable<IoResult> send_head(net::Socket& socket, std::string_view head, bool body_follows,
                                    net::Duration timeout) {
    if (body_follows) {
        // Try at once, with MSG_MORE; whatever did not fit goes the usual way.
        const auto sent = ::send(socket.native_handle(), head.data(), head.size(), MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent > 0) head.remove_prefix(static_cast<std::size_t>(sent));
        else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) co_return failure(errno);
    }
    co_return co_await net::write_all_for(socket, head, timeout);
}

asio::awaitable<IoResult> send_file_range(net::Socket& socket, FileRange range, bool use_sendfile,
                                          net::Duration timeout) {
    auto& [fd, offset, count] = range;
    if (!use_sendfile) {
        // sendfile off: through a buffer in our memory (nginx's output_buffers, 2 x 32k).
        std::string buffer;
        while (count > 0) {
            buffer.resize(static_cast<std::size_t>(std::min<std::uint64_t>(count, 64 * 1024)));
            const auto got = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) co_return failure(errno);
            if (got == 0) co_return failure(EIO);  // the file shrank while we sent it
            buffer.resize(static_cast<std::size_t>(got));
            const auto written = co_await net::write_all_for(socket, buffer, timeout);
            if (!written.ok()) co_return written;
            offset += static_cast<std::uint64_t>(got);
            count -= static_cast<std::uint64_t>(got);
        }
        co_return IoResult{};
    }

    // sendfile() must say EAGAIN, not block the worker. (Asking is free;
    // setting costs a system call, so only the first time.)
    boost::system::error_code ignored;
    if (!socket.native_non_blocking()) socket.native_non_blocking(true, ignored);
    auto position = static_cast<off_t>(offset);
    while (count > 0) {
        const auto sent = ::sendfile(socket.native_handle(), fd, &position, std::min(count, max_chunk));
        if (sent > 0) {
            count -= static_cast<std::uint64_t>(sent);
            if (count > 0 && static_cast<std::uint64_t>(sent) == max_chunk) {
                // Others' turn. (The executor on its own line: a g++ 12 bug, timed_io.hpp.)
                const auto executor = co_await asio::this_coro::executor;
                co_await asio::post(executor, asio::use_awaitable);
            }
            continue;
        }
        if (sent == 0) co_return failure(EIO);  // the file shrank while we sent it
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) co_return failure(errno);
        const auto ready = co_await net::wait_writable_for(socket, timeout);
        if (!ready.ok()) co_return ready;
    }
    co_return IoResult{};
}

}  // namespace webstack::stage5
