// Socket operations with a time limit, as coroutines, for the event-driven
// servers (stage 3's async worker, stage 4's proxy). Every wait for a peer
// must be bounded (Gunicorn's --keep-alive, nginx's proxy_read_timeout, ...).
//
// A timer per operation would cost more than the operation itself (a timer
// and a second coroutine for each read). Instead each operation writes its
// deadline into a list, and one watchdog coroutine sweeps the list ten
// times a second, cancelling the operations whose time is up: a timeout is
// kept to within 100 ms, which is plenty for timeouts counted in seconds.
//
// One rule for every coroutine of the project: take the executor with
//     const auto executor = co_await asio::this_coro::executor;
// on a line of its own, never as part of another initializer: g++ 12
// mis-compiles a co_await inside an initializer (the frame is corrupted).
#pragma once

#include "net/listener.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

namespace webstack::net {

namespace asio = boost::asio;
using Duration = std::chrono::milliseconds;

// The clock deadlines are counted on: Linux's CLOCK_MONOTONIC_COARSE. It
// is as steady as std::chrono::steady_clock but only as precise as one
// kernel tick (a few milliseconds), and reading it costs about a fifth as
// much (no hardware counter is read). A request reads the clock several
// times, for timeouts counted in seconds: nginx, too, reads the time once
// per turn of its event loop and uses that.
struct CoarseClock {
    using duration = std::chrono::nanoseconds;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<CoarseClock>;
    static constexpr bool is_steady = true;
    static time_point now() noexcept {
        timespec now{};
        ::clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
        return time_point(std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec));
    }
};

enum class IoStatus { Ok, Closed, TimedOut, Failed };

struct IoResult {
    IoStatus status = IoStatus::Ok;
    boost::system::error_code error;  // when Failed: what the kernel said
    bool ok() const { return status == IoStatus::Ok; }
};

// Appends what arrives (at least one byte, at most `at_most`) to `into`.
// Closed on EOF. The string is zero-filled `at_most` bytes ahead before the
// read (std::string cannot grow without writing): a small head is best
// read with a small `at_most`, a body with a larger one.
asio::awaitable<IoResult> read_some_for(Socket& socket, std::string& into, Duration timeout,
                                        std::size_t at_most = 8 * 1024);
// Appends what has already arrived (at most `at_most` bytes), without
// waiting and without the event loop: one recv(). Returns how many bytes;
// 0 when none were there (or the peer closed, or failed: the next
// read_some_for reports that).
std::size_t read_arrived(Socket& socket, std::string& into, std::size_t at_most);
// Writes all of `bytes`. As nginx's send timeouts, the limit is for each
// wait for the peer to take more ("between two successive write operations").
asio::awaitable<IoResult> write_all_for(Socket& socket, std::string_view bytes, Duration timeout);
// Waits until the socket can take more bytes (for writes the program does
// itself, like sendfile(2) in stage 5).
asio::awaitable<IoResult> wait_writable_for(Socket& socket, Duration timeout);
// Connects to a TCP address (with Nagle's algorithm off: see disable_nagle).
asio::awaitable<IoResult> connect_for(Socket& socket, const asio::ip::tcp::endpoint& to, Duration timeout);

// The sweeping coroutine; each process (one event loop, one thread) runs
// it once, beside its connections, until stop_watchdog() or the loop stops.
asio::awaitable<void> run_watchdog();
void stop_watchdog();

}  // namespace webstack::net
