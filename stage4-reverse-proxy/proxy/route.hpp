// Which block answers a request, and how: decided by plain functions,
// without any I/O (client_connection.cpp then does what was decided; so
// does error_pages.cpp for an error page's URI).
#pragma once

#include "config/config.hpp"
#include "http/message.hpp"
#include "http/target.hpp"
#include "proxy/routing.hpp"
#include "proxy/variables.hpp"

#include <optional>

namespace webstack::stage4 {

// What to do with a request whose head has arrived, decided without any
// I/O: answer it ourselves, close, proxy it, or hand it to the content
// handler. serve_client() below does what was decided, in its own frame
// (allocated once per connection): calling a coroutine for each request
// would allocate a frame for each request.
struct Route {
    enum class Kind { Answer, Close, Proxy, Content } kind = Kind::Answer;
    http::Response response;  // Answer: what to send
    int status = 0;           // Close: what the access log says (444: `return 444`, 408: too slow)
    const Server* server = nullptr;
    const Location* location = nullptr;  // Proxy, Content (nullptr: no location matched)
    std::optional<http::Target> target;  // Content: the decoded, normalised target

    static Route answer(http::Response response) {
        Route decided;
        decided.response = std::move(response);
        return decided;
    }
    static Route close(int status) {
        Route decided;
        decided.kind = Kind::Close;
        decided.status = status;
        return decided;
    }
};

// Chooses the server and the location for `request` (whose absolute-form
// target becomes an origin form), fills `context` (server name, captures,
// the answering block's settings), and says what to do. `internal_redirect`:
// the request is an error page's (error_pages.cpp), whose host was read.
Route route(http::Request& request, const ListenGroup& group, RequestContext& context, bool internal_redirect = false);

}  // namespace webstack::stage4
