#include "proxy/error_pages.hpp"

#include "log/log.hpp"
#include "proxy/exchange.hpp"
#include "proxy/responses.hpp"
#include "proxy/rewrite.hpp"
#include "proxy/route.hpp"

namespace webstack::stage4 {

asio::awaitable<Outcome> ConnectionErrorPages::serve(const ErrorPage& page, int status) {
    context_.error_page_served = true;  // one error page per request (recursive_error_pages off)
    const auto& original = *context_.request;
    const std::string target = expand_variables(page.target, context_);
    if (!target.starts_with("/") && !target.starts_with("@")) {
        // A URL: a redirect, 302 unless "=CODE" names another redirect code.
        const int code = page.response && (*page.response == 301 || *page.response == 303 ||
                                           *page.response == 307 || *page.response == 308)
                             ? *page.response : 302;
        auto response = error_page(code, original.keep_alive);
        response.headers.add("Location", target);
        co_return co_await answer(client_, std::move(response), original);
    }
    // The status the client gets: the error's, "=CODE"'s, or (bare "=") the page's own.
    if (!page.response) context_.status_override = status;
    else if (*page.response != 0) context_.status_override = *page.response;
    internal_ = original;
    if (internal_.method != "HEAD") internal_.method = "GET";
    internal_.headers.remove("Content-Length");  // the client's body is not for the page
    internal_.headers.remove("Transfer-Encoding");
    if (target.starts_with("@")) {
        internal_.method = original.method;  // a named location keeps the method
        const Server& server = choose_server(group_, context_.host);
        const Location* named = find_named_location(server, target);
        if (!named) {
            log::error("could not find named location \"{}\"", target);
            co_return co_await answer(client_, error_page(500, original.keep_alive), original);
        }
        context_.settings = &named->settings;
        context_.access_log = &named->settings.access_log;
        auto outcome = run_rewrites(named->rewrites, internal_, context_);
        if (outcome.kind == RewriteOutcome::Kind::Close) co_return Outcome::without_answer(444);
        if (outcome.kind == RewriteOutcome::Kind::Answer)
            co_return co_await answer(client_, std::move(outcome.response), original);
        if (named->proxy_pass) co_return co_await proxy_request({client_, internal_, context_, *named, upstreams_});
        auto parsed = http::parse_target(internal_.target);
        if (content_ && parsed.target)
            co_return co_await content_->handle({client_, internal_, server, named, *parsed.target, context_, upstreams_});
        co_return co_await answer(client_, error_page(404, original.keep_alive), original);
    }
    internal_.target = target;
    context_.request = &internal_;  // $uri and $args are the page's now ($request_uri stays the client's)
    Route decided = route(internal_, group_, context_, true);
    switch (decided.kind) {
        case Route::Kind::Close: co_return Outcome::without_answer(decided.status);
        case Route::Kind::Proxy: co_return co_await proxy_request({client_, internal_, context_, *decided.location, upstreams_});
        case Route::Kind::Content:
            if (content_)
                co_return co_await content_->handle(
                    {client_, internal_, *decided.server, decided.location, *decided.target, context_, upstreams_});
            co_return co_await answer(client_, error_page(404, internal_.keep_alive), internal_);
        case Route::Kind::Answer: break;
    }
    co_return co_await answer(client_, std::move(decided.response), internal_);
}

}  // namespace webstack::stage4
