#include "proxy/route.hpp"

#include "http/message_rules.hpp"
#include "log/log.hpp"
#include "proxy/responses.hpp"
#include "proxy/rewrite.hpp"

namespace webstack::stage4 {

namespace {

// The host a request names, and what nginx refuses before it looks at any
// location. RFC 9112 section 3.2.2: "GET http://other.example/a" names its
// host in the target; nginx then routes by that host, not by the Host
// header, and the rest of the request sees the origin form "/a". Returns
// the status to answer (400, 405), or 0 to go on.
int read_request_host(http::Request& request, RequestContext& context) {
    const auto absolute = http::split_absolute_form(request.target);
    std::optional<std::string_view> host = request.headers.get("Host");
    if (absolute.form) {
        host = absolute.form->authority;
        request.target = absolute.form->origin_form;
    }
    if (host) {
        auto name = http::host_name(*host);
        if (!name) return 400;  // nginx: "client sent invalid host header"
        context.host = std::move(*name);
    }
    if (request.target == "*") return 400;  // OPTIONS * asks about the server, not a resource
    // TRACE would echo cookies back; CONNECT asks for a forward proxy.
    if (request.method == "TRACE" || request.method == "CONNECT") return 405;
    return 0;
}

// A rewrite statement's answer (return, a redirect) or close, into
// `decided`: false when the request is decided.
bool take_rewrite_outcome(RewriteOutcome outcome, Route& decided) {
    if (outcome.kind == RewriteOutcome::Kind::Close) {  // `return 444`: close, say nothing
        decided.kind = Route::Kind::Close;                // (Gunicorn's docs use it against Host spoofing)
        decided.status = 444;
        return false;
    }
    if (outcome.kind == RewriteOutcome::Kind::Answer) {
        decided.response = std::move(outcome.response);
        return false;
    }
    return true;
}

// nginx: "/api" for `location /api/ { proxy_pass ...; }` is a 301 to "/api/".
http::Response slash_redirect(const http::Target& target) {
    std::string to = http::percent_encode(target.path, http::unsafe_in_uri) + "/";
    if (!target.query.empty()) to += "?" + target.query;
    auto response = error_page(301, true);
    response.headers.add("Location", to);
    return response;
}

// nginx's limit: a request whose URI `rewrite` changes more than 10 times
// is answered 500 ("rewrite or internal redirection cycle").
constexpr int max_uri_changes = 10;

}  // namespace

// (Every path returns `decided`, the one named object: the compiler then
// builds it in place; a `return Route::close(...)` among them would make
// every return a move of the whole Route.)
Route route(http::Request& request, const ListenGroup& group, RequestContext& context, bool internal_redirect) {
    Route decided;
    // An error page's URI is the same request: its host was read (and maybe refused) already.
    const int refused = internal_redirect ? 0 : read_request_host(request, context);
    const Server& server = choose_server(group, context.host, &context.captures);
    decided.server = &server;
    context.settings = &server.settings;  // its error_page applies to a refused request too
    context.access_log = &server.settings.access_log;
    if (refused) {
        decided.response = error_page(refused, false);
        return decided;
    }
    // $server_name: the first name as written, but ".example.com" is "example.com".
    const std::string& first_name = server.server_names.front().text;
    context.server_name = first_name.starts_with('.') ? first_name.substr(1) : first_name;
    context.underscores_in_headers = server.settings.underscores_in_headers;
    if (context.request_uri.empty()) context.request_uri = request.target;  // an error page's URI keeps the client's
    // The server's rewrite statements, then the location's (proxy/rewrite.hpp).
    if (!take_rewrite_outcome(run_rewrites(server.rewrites, request, context), decided)) return decided;
    for (int search = 0;; ++search) {
        if (search > max_uri_changes) {
            log::error("rewrite or internal redirection cycle while processing \"{}\"", request.target);
            decided.response = error_page(500, false);
            return decided;
        }
        auto parsed = http::parse_target(request.target);
        if (!parsed.target) {
            decided.response = error_page(400, false);
            return decided;
        }
        const std::string& path = parsed.target->path;
        if (needs_trailing_slash_redirect(server, path)) {
            decided.response = slash_redirect(*parsed.target);
            return decided;
        }
        const Location* location = choose_location(server, path, &context.captures);
        decided.location = location;
        if (location) {
            context.access_log = &location->settings.access_log;
            context.settings = &location->settings;
            const auto outcome = run_rewrites(location->rewrites, request, context);
            const bool again = outcome.kind == RewriteOutcome::Kind::Restart ||
                               (outcome.kind == RewriteOutcome::Kind::Continue && outcome.uri_changed);
            if (!take_rewrite_outcome(outcome, decided)) return decided;
            if (again) continue;
            if (outcome.uri_changed) parsed = http::parse_target(request.target);  // `rewrite ... break`
            if (!parsed.target) {
                decided.response = error_page(400, false);
                return decided;
            }
        }
        if (location && location->proxy_pass) {
            decided.kind = Route::Kind::Proxy;
        } else {
            decided.kind = Route::Kind::Content;
            decided.target = std::move(parsed.target);
        }
        break;
    }
    return decided;
}


}  // namespace webstack::stage4
