// The proxy's pure decisions, in-process: after a failed try, what next
// (retry.hpp, nginx's ngx_http_upstream_next), and the balancer (its
// ticket, weighted round robin, max_fails and fail_timeout, backups).
#include "catch.hpp"
#include "proxy/balancer.hpp"
#include "proxy/retry.hpp"

#include <thread>

using namespace webstack::stage4;
using Kind = TryFailure::Kind;
using Next = RetryDecision::Next;

namespace {
// nginx's default: proxy_next_upstream error timeout.
Settings::NextUpstream default_next() { return Settings{}.proxy_next_upstream; }

// A GET to a group of two servers, the first try failed.
TryState first_of_two() { return TryState{true, true, 1, 0, 1, 2}; }

TryFailure failed(Kind kind, bool request_sent = true, bool kept = false, bool answer_started = false, int status = 0) {
    return TryFailure{kind, status, request_sent, kept, answer_started};
}

std::string describe(const RetryDecision& decision) {
    const char* names[] = {"FreshConnection", "NextServer", "GiveUp", "PassAnswerOn"};
    return std::string(names[static_cast<int>(decision.next)]) + " " + std::to_string(decision.status);
}

void expect(const TryFailure& failure, const TryState& state, const Settings::NextUpstream& next, Next wanted,
            int status) {
    const auto decision = after_failure(failure, state, next);
    INFO("decided: " << describe(decision));
    CHECK(decision.next == wanted);
    CHECK(decision.status == status);
}
}  // namespace

TEST_CASE("retry: a kept connection that fails before any answer is tried again on a fresh one", "[stage4][ex.stage4.retry]") {
    expect(failed(Kind::Error, true, true), first_of_two(), default_next(), Next::FreshConnection, 502);
    // ...also for the only server, or the last try: a stale connection is not a try.
    expect(failed(Kind::Error, true, true), TryState{true, true, 1, 1, 1, 1}, default_next(), Next::FreshConnection, 502);
    // Not when the answer had started, or it was a timeout (a slow server, not a stale connection).
    expect(failed(Kind::Error, true, true, true), first_of_two(), default_next(), Next::NextServer, 502);
    expect(failed(Kind::Timeout, true, true), first_of_two(), default_next(), Next::NextServer, 504);
    // Not for a POST: it may not be sent twice.
    TryState post = first_of_two();
    post.idempotent = false;
    expect(failed(Kind::Error, true, true), post, default_next(), Next::GiveUp, 502);
}

TEST_CASE("retry: the next server, while proxy_next_upstream lists the failure and servers are left", "[stage4][ex.stage4.retry]") {
    expect(failed(Kind::Error, false), first_of_two(), default_next(), Next::NextServer, 502);
    expect(failed(Kind::Timeout, false), first_of_two(), default_next(), Next::NextServer, 504);
    // A head that cannot be parsed counts as an error too (nginx).
    expect(failed(Kind::InvalidHeader), first_of_two(), default_next(), Next::NextServer, 502);
    // Both servers failed: the client gets the last failure.
    expect(failed(Kind::Error), TryState{true, true, 2, 0, 2, 2}, default_next(), Next::GiveUp, 502);
    // proxy_next_upstream_tries 1.
    expect(failed(Kind::Error), TryState{true, true, 1, 1, 1, 2}, default_next(), Next::GiveUp, 502);
    // A plain address (no upstream group): nothing else to try.
    expect(failed(Kind::Timeout), TryState{true, true, 1, 0, 0, 0}, default_next(), Next::GiveUp, 504);
}

TEST_CASE("retry: what proxy_next_upstream does not list ends the request", "[stage4][ex.stage4.retry]") {
    auto next = default_next();
    next.timeout = false;  // proxy_next_upstream error;
    expect(failed(Kind::Timeout), first_of_two(), next, Next::GiveUp, 504);
    expect(failed(Kind::Error), first_of_two(), next, Next::NextServer, 502);
    next.off = true;  // proxy_next_upstream off;
    expect(failed(Kind::Error), first_of_two(), next, Next::GiveUp, 502);
}

TEST_CASE("retry: a request that may not go twice", "[stage4][ex.stage4.retry]") {
    TryState post = first_of_two();
    post.idempotent = false;
    // Not sent yet (connect failed): it may go elsewhere.
    expect(failed(Kind::Error, false), post, default_next(), Next::NextServer, 502);
    // Sent: only with non_idempotent.
    expect(failed(Kind::Error, true), post, default_next(), Next::GiveUp, 502);
    auto next = default_next();
    next.non_idempotent = true;
    expect(failed(Kind::Error, true), post, next, Next::NextServer, 502);
    // A streamed body (proxy_request_buffering off) is gone once sent.
    TryState streamed = first_of_two();
    streamed.resendable = false;
    expect(failed(Kind::Error, true), streamed, next, Next::GiveUp, 502);
}

TEST_CASE("retry: a status proxy_next_upstream lists goes to the next server, else to the client", "[stage4][ex.stage4.retry]") {
    Settings::NextUpstream next{false, false, false, false, {502}, false};  // proxy_next_upstream http_502;
    expect(failed(Kind::Status, true, false, true, 502), first_of_two(), next, Next::NextServer, 502);
    expect(failed(Kind::Status, true, false, true, 502), TryState{true, true, 2, 0, 2, 2}, next, Next::PassAnswerOn, 502);
}

TEST_CASE("balancer ticket: in flight while held, counted once when released", "[stage4]") {
    Upstream group;
    group.least_conn = true;
    group.servers.resize(2);
    group.servers[0].host = "a";
    group.servers[1].host = "b";
    Balancer balancer;
    const auto* first = balancer.pick(group, {});
    REQUIRE(first);
    {
        BalancerTicket busy(balancer, first);
        // least_conn: the other server has fewer requests in flight.
        const auto* second = balancer.pick(group, {});
        REQUIRE(second);
        CHECK(second != first);
    }  // released as done when it ends
    BalancerTicket failing(balancer, first);
    failing.release_as_failed();  // max_fails=1: down for fail_timeout
    failing.release_as_failed();  // a second release does nothing
    for (int i = 0; i < 4; ++i) CHECK(balancer.pick(group, {}) != first);
}

namespace {
Upstream group_of(std::vector<int> weights, std::vector<bool> backup = {}) {
    Upstream group;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        UpstreamServer server;
        server.host = std::string(1, static_cast<char>('a' + i));
        server.weight = weights[i];
        server.backup = i < backup.size() && backup[i];
        server.fail_timeout = Duration(100);
        group.servers.push_back(server);
    }
    return group;
}

std::string picks(Balancer& balancer, const Upstream& group, int count) {
    std::string order;
    for (int i = 0; i < count; ++i) {
        const auto* server = balancer.pick(group, {});
        order += server ? server->host : "-";
        if (server) BalancerTicket(balancer, server).release_as_done();
    }
    return order;
}
}  // namespace

TEST_CASE("balancer: nginx's smooth weighted round robin", "[stage4]") {
    Balancer balancer;
    // Weights 5, 1, 1: the heavy server's turns are spread out, not bunched.
    CHECK(picks(balancer, group_of({5, 1, 1}), 7) == "aabacaa");
    Balancer even;
    CHECK(picks(even, group_of({1, 1, 1}), 6) == "abcabc");
}

TEST_CASE("balancer: max_fails, then fail_timeout, and backups only when every primary is down", "[stage4]") {
    Balancer balancer;
    const auto group = group_of({1, 1, 1}, {false, false, true});  // c is a backup
    CHECK(picks(balancer, group, 4) == "abab");  // the backup gets nothing
    CHECK(BalancerTicket(balancer, &group.servers[0]).release_as_failed());  // a fails (max_fails=1): down
    CHECK(picks(balancer, group, 3) == "bbb");
    BalancerTicket(balancer, &group.servers[1]).release_as_failed();  // b too: only the backup is left
    CHECK(picks(balancer, group, 2) == "cc");
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // fail_timeout (100 ms) is over
    const auto after = picks(balancer, group, 2);
    INFO(after);
    CHECK(after.find('c') == std::string::npos);  // the primaries get another chance
}
