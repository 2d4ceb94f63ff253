#include "net/timed_io.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>
#include <time.h>

namespace webstack::net {

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr Duration sweep_interval{100};

// The operations under watch, in a list whose entries live in the waiting
// coroutines themselves (an intrusive list: no allocation per operation).
// One process serves from one thread, so nothing here needs a lock.
struct Watched {
    Socket* socket = nullptr;
    CoarseClock::time_point deadline;
    bool expired = false;
    Watched* previous = nullptr;
    Watched* next = nullptr;
};
Watched* first_watched = nullptr;
bool watchdog_running = false;

// Watches `socket` while it lives; timed_out() tells whether the watchdog
// cancelled the operation because its time was up.
class Watch {
public:
    Watch(Socket& socket, Duration timeout) {
        entry_.socket = &socket;
        entry_.deadline = CoarseClock::now() + timeout;
        entry_.next = first_watched;
        if (first_watched) first_watched->previous = &entry_;
        first_watched = &entry_;
    }
    ~Watch() {
        if (entry_.previous) entry_.previous->next = entry_.next;
        else first_watched = entry_.next;
        if (entry_.next) entry_.next->previous = entry_.previous;
    }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    // True when the watchdog cancelled the operation: it failed for lack of time.
    bool timed_out(const boost::system::error_code& error) const {
        return entry_.expired && error == asio::error::operation_aborted;
    }

private:
    Watched entry_;
};

IoResult from_error(const boost::system::error_code& error) {
    if (!error) return {};
    if (error == asio::error::eof) return {IoStatus::Closed, error};
    return {IoStatus::Failed, error};
}
}  // namespace

asio::awaitable<void> run_watchdog() {
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    watchdog_running = true;
    while (watchdog_running) {
        const auto now = CoarseClock::now();
        for (Watched* entry = first_watched; entry; entry = entry->next) {
            if (!entry->expired && entry->deadline <= now) {
                entry->expired = true;
                entry->socket->cancel();  // the operation completes with operation_aborted
            }
        }
        timer.expires_after(sweep_interval);
        co_await timer.async_wait(use_tuple);
    }
}

void stop_watchdog() { watchdog_running = false; }

asio::awaitable<IoResult> read_some_for(Socket& socket, std::string& into, Duration timeout, std::size_t at_most) {
    // Straight into the end of the string: no buffer in the coroutine's
    // frame (a large frame is a malloc per read) and no copy.
    at_most = std::max<std::size_t>(at_most, 1);  // a read of nothing would "succeed" forever
    const auto before = into.size();
    into.resize(before + at_most);
    const Watch watch(socket, timeout);
    const auto [error, count] = co_await socket.async_read_some(asio::buffer(into.data() + before, at_most), use_tuple);
    into.resize(before + count);
    if (watch.timed_out(error)) co_return IoResult{IoStatus::TimedOut, {}};
    if (error && count == 0) co_return from_error(error);
    co_return IoResult{};
}

std::size_t read_arrived(Socket& socket, std::string& into, std::size_t at_most) {
    const auto before = into.size();
    into.resize(before + at_most);
    const auto got = ::recv(socket.native_handle(), into.data() + before, at_most, MSG_DONTWAIT);
    const auto count = got > 0 ? static_cast<std::size_t>(got) : 0;
    into.resize(before + count);
    return count;
}

asio::awaitable<IoResult> write_all_for(Socket& socket, std::string_view bytes, Duration timeout) {
    // Most writes fit in the socket's buffer at once: try one directly,
    // without a trip through the event loop (which an immediately finished
    // asynchronous write would still make). What does not fit waits below.
    if (!bytes.empty()) {
        const auto sent = ::send(socket.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent > 0) bytes.remove_prefix(static_cast<std::size_t>(sent));
        else if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            co_return from_error(boost::system::error_code(errno, boost::system::system_category()));
    }
    while (!bytes.empty()) {
        const Watch watch(socket, timeout);
        const auto [error, count] = co_await socket.async_write_some(asio::buffer(bytes.data(), bytes.size()), use_tuple);
        if (watch.timed_out(error)) co_return IoResult{IoStatus::TimedOut, {}};
        if (error) co_return from_error(error);
        bytes.remove_prefix(count);
    }
    co_return IoResult{};
}

asio::awaitable<IoResult> wait_writable_for(Socket& socket, Duration timeout) {
    const Watch watch(socket, timeout);
    const auto [error] = co_await socket.async_wait(Socket::wait_write, use_tuple);
    if (watch.timed_out(error)) co_return IoResult{IoStatus::TimedOut, {}};
    co_return from_error(error);
}

asio::awaitable<IoResult> connect_for(Socket& socket, const asio::ip::tcp::endpoint& to, Duration timeout) {
    const StreamProtocol::endpoint generic(to);
    boost::system::error_code ignored;
    socket.open(generic.protocol(), ignored);  // open first, so that the watchdog can cancel the connect
    const Watch watch(socket, timeout);
    const auto [error] = co_await socket.async_connect(generic, use_tuple);
    if (watch.timed_out(error)) co_return IoResult{IoStatus::TimedOut, {}};
    if (!error) disable_nagle(socket);  // a request's head and body go out as two writes
    co_return from_error(error);
}

}  // namespace webstack::net
