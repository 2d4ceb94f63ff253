#include "proxy/retry.hpp"

#include <algorithm>
#include <stdexcept>

namespace webstack::stage4 {

namespace {
// Does proxy_next_upstream list this kind of failure?
[[maybe_unused]] bool listed(const TryFailure& failure, const Settings::NextUpstream& next) {
    if (next.off) return false;
    switch (failure.kind) {
        case TryFailure::Kind::Error: return next.error;
        case TryFailure::Kind::Timeout: return next.timeout;
        case TryFailure::Kind::InvalidHeader: return next.invalid_header || next.error;  // nginx: a bad head is an error too
        case TryFailure::Kind::Status:
            return std::find(next.statuses.begin(), next.statuses.end(), failure.status) != next.statuses.end();
    }
    return false;
}

[[maybe_unused]] int status_for(const TryFailure& failure) {
    if (failure.kind == TryFailure::Kind::Status) return failure.status;
    return failure.kind == TryFailure::Kind::Timeout ? 504 : 502;
}
}  // namespace

RetryDecision after_failure([[maybe_unused]] const TryFailure& failure, [[maybe_unused]] const TryState& state,
                            [[maybe_unused]] const Settings::NextUpstream& next_upstream) {
    // BEGIN EXERCISE stage4.retry
    using Next = RetryDecision::Next;
    const int status = status_for(failure);
    // A stale kept connection: it fails at once, before any answer (a
    // timeout is a slow server, not a stale connection).
    const bool stale = failure.kept_connection && !failure.answer_started && failure.kind == TryFailure::Kind::Error;
    if (stale && state.idempotent && state.resendable) return {Next::FreshConnection, status};

    const bool sent_and_unsafe = failure.request_sent && !state.idempotent && !next_upstream.non_idempotent;
    const bool body_gone = failure.request_sent && !state.resendable;
    const bool tries_left = state.max_tries == 0 || state.tries < state.max_tries;
    const bool servers_left = state.servers_tried < state.servers;
    if (listed(failure, next_upstream) && !sent_and_unsafe && !body_gone && tries_left && servers_left)
        return {Next::NextServer, status};
    return {failure.kind == TryFailure::Kind::Status ? Next::PassAnswerOn : Next::GiveUp, status};
    // STUB
    // throw std::logic_error("exercise stage4.retry is not done yet (scripts/exercises hint stage4.retry)");
    // END EXERCISE stage4.retry
}

}  // namespace webstack::stage4
