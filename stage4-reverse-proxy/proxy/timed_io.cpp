#include "proxy/timed_io.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace webstack::stage4 {

using namespace asio::experimental::awaitable_operators;
namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Waits for `timeout`; used as the other side of each race.
asio::awaitable<void> sleep_for(Duration timeout) {
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, timeout);
    co_await timer.async_wait(use_tuple);
}

IoResult from_error(const boost::system::error_code& error) {
    if (!error) return {};
    if (error == asio::error::eof) return {IoStatus::Closed, error};
    return {IoStatus::Failed, error};
}
}  // namespace

asio::awaitable<IoResult> read_some_for(net::Socket& socket, std::string& into, Duration timeout) {
    char chunk[16 * 1024];
    auto outcome = co_await (socket.async_read_some(asio::buffer(chunk), use_tuple) || sleep_for(timeout));
    if (outcome.index() == 1) co_return IoResult{IoStatus::TimedOut, {}};  // the read was cancelled
    const auto [error, count] = std::get<0>(outcome);
    into.append(chunk, count);
    if (error && count == 0) co_return from_error(error);
    co_return IoResult{};
}

asio::awaitable<IoResult> write_all_for(net::Socket& socket, std::string_view bytes, Duration timeout) {
    while (!bytes.empty()) {
        auto outcome =
            co_await (socket.async_write_some(asio::buffer(bytes.data(), bytes.size()), use_tuple) || sleep_for(timeout));
        if (outcome.index() == 1) co_return IoResult{IoStatus::TimedOut, {}};
        const auto [error, count] = std::get<0>(outcome);
        if (error) co_return from_error(error);
        bytes.remove_prefix(count);
    }
    co_return IoResult{};
}

asio::awaitable<IoResult> connect_for(net::Socket& socket, const asio::ip::tcp::endpoint& to, Duration timeout) {
    const net::StreamProtocol::endpoint generic(to);
    auto outcome = co_await (socket.async_connect(generic, use_tuple) || sleep_for(timeout));
    if (outcome.index() == 1) co_return IoResult{IoStatus::TimedOut, {}};
    co_return from_error(std::get<0>(std::get<0>(outcome)));
}

}  // namespace webstack::stage4
