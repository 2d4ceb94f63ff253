// nginx's rewrite module: the statements `set`, `rewrite`, `return`,
// `break` and `if`, run in the order written. The server's run once, when
// the server is chosen; then the chosen location's. A `rewrite` changes
// the request's URI (the request's target, so that proxy_pass sends the
// new one; $request_uri keeps the original):
//
//   rewrite ^/old/(.*)$ /new/$1;           the next statements see /new/...;
//                                          at the end, the location is chosen again
//   rewrite ^/old/(.*)$ /new/$1 last;      stop here, choose the location again
//   rewrite ^/old/(.*)$ /new/$1 break;     stop here, stay in this location
//   rewrite ^/old/(.*)$ /new/$1 permanent; answer 301 (redirect: 302; also
//                                          any replacement that starts with
//                                          http://, https:// or $scheme)
//
// The replacement's arguments ("/new?a=1") come before the request's,
// unless it ends with "?" (then the request's are dropped).
// `if (CONDITION) { ... }` runs its statements when the condition holds:
// `$var` (not empty, not "0"), `$var = text`, `$var != text`, `$var ~ RE`
// (`~*` without case, `!~`, `!~*` negated; captures as $1..$9 inside).
#pragma once

#include "config/config.hpp"
#include "http/message.hpp"
#include "proxy/variables.hpp"

#include <vector>

namespace webstack::stage4 {

struct RewriteOutcome {
    enum class Kind {
        Continue,  // every statement ran; `uri_changed` says whether to choose the location again
        Break,     // `break`, or `rewrite ... break`: stay where we are
        Restart,   // `rewrite ... last`: choose the location again
        Answer,    // `return`, or a redirecting rewrite: send `response`
        Close,     // `return 444`: close, say nothing
    } kind = Kind::Continue;
    bool uri_changed = false;
    http::Response response;
};

RewriteOutcome run_rewrites(const std::vector<RewriteStep>& steps, http::Request& request, RequestContext& context);

}  // namespace webstack::stage4
