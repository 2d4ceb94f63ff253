// After a try to an upstream server failed: try again, and where, or give
// the client the failure? A pure function of what happened, as nginx's
// ngx_http_upstream_next() decides (proxy_next_upstream and its friends).
//
//   - A kept connection the upstream had closed meanwhile fails before any
//     byte of an answer: the same server gets the request again, on a fresh
//     connection, if the request may be sent twice.
//   - Otherwise the next server of the group is tried when the failure is
//     one proxy_next_upstream lists, tries are left, the request may be
//     sent again (POST, PATCH and LOCK only with non_idempotent, a streamed
//     body never), and a server is left that was not tried yet.
//   - Else the client gets 504 for a timeout, 502 for any other failure,
//     or, for a status proxy_next_upstream lists, that answer itself.
#pragma once

#include "config/config.hpp"

namespace webstack::stage4 {

// Where a try failed, and how.
struct TryFailure {
    enum class Kind {
        Error,          // connect(), send or read failed, or the upstream closed early
        Timeout,        // proxy_connect/send/read_timeout
        InvalidHeader,  // the answer's head could not be parsed
        Status,         // an answer came, with a status proxy_next_upstream lists (http_502, ...)
    };
    Kind kind = Kind::Error;
    int status = 0;               // for Status: the upstream's status
    bool request_sent = false;    // some of the request reached the upstream
    bool kept_connection = false; // the connection came from the keepalive pool
    bool answer_started = false;  // some of an answer had arrived
};

// The request, and the tries so far.
struct TryState {
    bool idempotent = true;   // not POST, PATCH or LOCK
    bool resendable = true;   // the body is buffered (or there is none): it can go again
    int tries = 0;            // made so far, the failed one included
    int max_tries = 0;        // proxy_next_upstream_tries; 0: no limit of its own (the servers still bound it)
    int servers_tried = 0;    // distinct servers that failed, the failed one included
    int servers = 0;          // in the upstream group; 0 for a plain address
};

struct RetryDecision {
    enum class Next {
        FreshConnection,            // the kept connection was stale: again, on a new one (not the server's fault)
        NextServer,                 // the server failed: the next one gets the request
        GiveUp,                     // the client gets `status` (an error page)
        PassAnswerOn,               // no other server: the client gets the upstream's answer
    };
    Next next = Next::GiveUp;
    int status = 502;  // what the client gets if this was the last try
};

RetryDecision after_failure(const TryFailure& failure, const TryState& state,
                            const Settings::NextUpstream& next_upstream);

}  // namespace webstack::stage4
