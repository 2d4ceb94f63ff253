#include "proxy/balancer.hpp"

#include <algorithm>

namespace webstack::stage4 {

bool Balancer::usable(const UpstreamServer& server, const State& state, bool alone, Clock::time_point now) const {
    if (server.down) return false;
    if (alone || server.max_fails == 0 || state.fails < server.max_fails) return true;
    return now - state.checked > server.fail_timeout;  // time to give it another chance
}

const UpstreamServer* Balancer::choose(const Upstream& upstream, bool backup,
                                       const std::vector<const UpstreamServer*>& tried) {
    const auto now = Clock::now();
    const auto primaries = std::count_if(upstream.servers.begin(), upstream.servers.end(),
                                         [](const UpstreamServer& server) { return !server.backup; });
    const bool alone = !backup && primaries == 1;
    const UpstreamServer* best = nullptr;
    int total = 0;
    for (const auto& server : upstream.servers) {
        if (server.backup != backup || std::find(tried.begin(), tried.end(), &server) != tried.end()) continue;
        auto& state = states_[&server];
        if (!usable(server, state, alone, now)) continue;
        // Smooth weighted round robin: everyone gains its weight, the
        // highest score wins and pays the total back.
        state.current_weight += server.weight;
        total += server.weight;
        if (!best) {
            best = &server;
            continue;
        }
        const auto& best_state = states_[best];
        if (upstream.least_conn) {
            // Fewest in flight per weight first: a/wa < b/wb without division.
            const long mine = static_cast<long>(state.active) * best->weight;
            const long theirs = static_cast<long>(best_state.active) * server.weight;
            if (mine < theirs || (mine == theirs && state.current_weight > best_state.current_weight)) best = &server;
        } else if (state.current_weight > best_state.current_weight) {
            best = &server;
        }
    }
    if (best) states_[best].current_weight -= total;
    return best;
}

const UpstreamServer* Balancer::pick(const Upstream& upstream, const std::vector<const UpstreamServer*>& tried) {
    if (const auto* primary = choose(upstream, false, tried)) return primary;
    return choose(upstream, true, tried);  // the backups, when every primary is down or tried
}

bool Balancer::available(const Upstream& upstream, const std::vector<const UpstreamServer*>& tried) {
    const auto now = Clock::now();
    const auto primaries = std::count_if(upstream.servers.begin(), upstream.servers.end(),
                                         [](const UpstreamServer& server) { return !server.backup; });
    for (const auto& server : upstream.servers) {
        if (std::find(tried.begin(), tried.end(), &server) != tried.end()) continue;
        if (usable(server, states_[&server], !server.backup && primaries == 1, now)) return true;
    }
    return false;
}

void Balancer::started(const UpstreamServer& server) { ++states_[&server].active; }

bool Balancer::finished(const UpstreamServer& server, bool failed) {
    auto& state = states_[&server];
    --state.active;
    const auto now = Clock::now();
    if (!failed) {
        // nginx forgets the failures once a server answers again after its fail_timeout.
        if (state.fails > 0 && now - state.checked > server.fail_timeout) state.fails = 0;
        return false;
    }
    if (state.fails == 0 || now - state.checked > server.fail_timeout) {
        state.fails = 0;
        state.checked = now;  // a new window
    }
    ++state.fails;
    if (server.max_fails == 0 || state.fails < server.max_fails) return false;
    state.checked = now;  // down from now, for fail_timeout
    return true;
}

void Balancer::forget(const Upstream& upstream) {
    for (const auto& server : upstream.servers) states_.erase(&server);
}

}  // namespace webstack::stage4
