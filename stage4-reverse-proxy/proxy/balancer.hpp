// Which server of an upstream group gets the next request, as nginx's
// ngx_http_upstream_round_robin and least_conn modules choose:
//
//   - weighted round robin (the default), in nginx's "smooth" form: with
//     weights 5, 1, 1 the order is a a b a c a a, not a a a a a b c;
//   - least_conn: the server with the fewest requests in flight for its
//     weight, round robin among equals;
//   - passive health checks: a server that failed max_fails times within
//     fail_timeout is left alone for fail_timeout (a group of one server is
//     never left alone: there would be nothing else to try);
//   - backup servers get requests only when every other server is down.
//
// The state is per worker process, as in nginx.
#pragma once

#include "config/config.hpp"

#include <chrono>
#include <map>
#include <utility>
#include <vector>

namespace webstack::stage4 {

class Balancer {
public:
    using Clock = std::chrono::steady_clock;

    // A server of `upstream` that is not in `tried` and not down; nullptr
    // when none is left.
    const UpstreamServer* pick(const Upstream& upstream, const std::vector<const UpstreamServer*>& tried);

    // Is any server left that pick() could choose? (Asks without choosing.)
    bool available(const Upstream& upstream, const std::vector<const UpstreamServer*>& tried);

    // The outcome of a try, for the health checks and least_conn.
    void started(const UpstreamServer& server);
    // Returns true when this failure takes the server out for fail_timeout
    // (nginx then warns "upstream server temporarily disabled").
    bool finished(const UpstreamServer& server, bool failed);

    // Forgets the counts of `upstream`'s servers (a group resolver.hpp replaces).
    void forget(const Upstream& upstream);

private:
    struct State {
        int current_weight = 0;   // smooth round robin's running score
        int fails = 0;            // failures within the current fail_timeout window
        Clock::time_point checked{};  // when the window started, or the server was last tried while down
        int active = 0;           // requests in flight (least_conn)
    };
    bool usable(const UpstreamServer& server, const State& state, bool alone, Clock::time_point now) const;
    const UpstreamServer* choose(const Upstream& upstream, bool backup, const std::vector<const UpstreamServer*>& tried);

    std::map<const UpstreamServer*, State> states_;
};

// One request's turn on a server: in flight (for least_conn) from the
// moment it is made until it is released, then counted as done or failed
// (for max_fails). Released once: by one of the two calls, or as done when
// it ends.
class BalancerTicket {
public:
    // `server` is nullptr for a plain address (no group, nothing to count).
    BalancerTicket(Balancer& balancer, const UpstreamServer* server) : balancer_(&balancer), server_(server) {
        if (server_) balancer_->started(*server_);
    }
    ~BalancerTicket() { release_as_done(); }
    BalancerTicket(BalancerTicket&& other) noexcept
        : balancer_(other.balancer_), server_(std::exchange(other.server_, nullptr)) {}
    BalancerTicket(const BalancerTicket&) = delete;
    BalancerTicket& operator=(const BalancerTicket&) = delete;
    BalancerTicket& operator=(BalancerTicket&&) = delete;

    void release_as_done() { release(false); }
    // True when the failure took the server out of the group for a while.
    bool release_as_failed() { return release(true); }

private:
    bool release(bool failed) {
        return server_ && balancer_->finished(*std::exchange(server_, nullptr), failed);
    }

    Balancer* balancer_;
    const UpstreamServer* server_;
};

}  // namespace webstack::stage4
