#include "proxy/resolver.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <arpa/nameser.h>
#include <resolv.h>

#include <algorithm>

namespace webstack::stage4 {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

struct Answer {
    std::vector<asio::ip::address_v4> addresses;
    std::chrono::seconds ttl{0};
};

// The A records of a DNS answer, with the smallest TTL among them.
std::optional<Answer> read_answer(const unsigned char* bytes, std::size_t size, std::uint16_t id) {
    ns_msg message{};
    if (ns_initparse(bytes, static_cast<int>(size), &message) != 0 || ns_msg_id(message) != id ||
        ns_msg_getflag(message, ns_f_rcode) != ns_r_noerror)
        return std::nullopt;
    Answer answer;
    answer.ttl = std::chrono::seconds(std::numeric_limits<std::int32_t>::max());
    for (int i = 0; i < ns_msg_count(message, ns_s_an); ++i) {
        ns_rr record{};
        if (ns_parserr(&message, ns_s_an, i, &record) != 0) return std::nullopt;
        if (ns_rr_type(record) != ns_t_a || ns_rr_rdlen(record) != 4) continue;
        asio::ip::address_v4::bytes_type address;
        std::copy_n(ns_rr_rdata(record), 4, address.begin());
        answer.addresses.emplace_back(address);
        answer.ttl = std::min(answer.ttl, std::chrono::seconds(ns_rr_ttl(record)));
    }
    if (answer.addresses.empty()) return std::nullopt;
    return answer;
}

// Asks `server` for the A records of `name`; nothing after `timeout`.
asio::awaitable<std::optional<Answer>> ask(const std::string& name, const asio::ip::udp::endpoint& server,
                                           std::chrono::milliseconds timeout) {
    unsigned char question[NS_PACKETSZ];
    const int length = res_mkquery(ns_o_query, name.c_str(), ns_c_in, ns_t_a, nullptr, 0, nullptr, question, sizeof question);
    if (length <= 0) co_return std::nullopt;
    const auto id = static_cast<std::uint16_t>((question[0] << 8) | question[1]);
    const auto executor = co_await asio::this_coro::executor;
    asio::ip::udp::socket socket(executor, server.protocol());
    boost::system::error_code error;
    socket.connect(server, error);
    if (error) co_return std::nullopt;
    co_await socket.async_send(asio::buffer(question, static_cast<std::size_t>(length)),
                               asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return std::nullopt;
    unsigned char reply[NS_MAXMSG];
    asio::steady_timer timer(executor, timeout);
    boost::system::error_code timer_error;  // its own: the one of the two that loses is cancelled
    const auto received = co_await (socket.async_receive(asio::buffer(reply), asio::redirect_error(asio::use_awaitable, error)) ||
                                     timer.async_wait(asio::redirect_error(asio::use_awaitable, timer_error)));
    if (received.index() != 0 || error) co_return std::nullopt;
    co_return read_answer(reply, std::get<0>(received), id);
}

}  // namespace

asio::awaitable<const Upstream*> NameCache::lookup(const std::string& name, int port, const Settings& settings,
                                                   Balancer& balancer, std::string& problem) {
    const auto key = name + ":" + std::to_string(port);
    const auto now = std::chrono::steady_clock::now();
    if (const auto found = entries_.find(key); found != entries_.end() && found->second.expires > now)
        co_return found->second.group.get();
    if (settings.resolver.empty()) {
        problem = "no resolver defined to resolve " + name;
        co_return nullptr;
    }
    std::optional<Answer> answer;
    for (const auto& server : settings.resolver) {
        answer = co_await ask(name, server, settings.resolver_timeout);
        if (answer) break;
    }
    if (!answer) {
        problem = name + " could not be resolved";
        co_return nullptr;
    }
    auto group = std::make_unique<Upstream>();
    group->name = name;
    for (const auto& address : answer->addresses) {
        UpstreamServer server;
        server.host = address.to_string();
        server.port = port;
        server.endpoint = {address, static_cast<unsigned short>(port)};
        group->servers.push_back(std::move(server));
    }
    auto& entry = entries_[key];
    if (entry.group) balancer.forget(*entry.group);  // the old addresses' counts go with them
    entry.group = std::move(group);
    entry.expires = now + (settings.resolver_valid ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(*settings.resolver_valid)
                                                   : std::chrono::duration_cast<std::chrono::steady_clock::duration>(answer->ttl));
    co_return entry.group.get();
}

}  // namespace webstack::stage4
