#include "proxy/exchange.hpp"

#include "http/serializer.hpp"
#include "log/log.hpp"
#include "proxy/body_buffer.hpp"
#include "proxy/relay.hpp"
#include "proxy/responses.hpp"
#include "proxy/routing.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>

#include <limits>

namespace webstack::stage4 {

namespace {

// Why a try failed, in proxy_next_upstream's words.
enum class Failure { Error, Timeout, InvalidHeader };

bool may_try_next(const Settings::NextUpstream& next, Failure failure) {
    if (next.off) return false;
    switch (failure) {
        case Failure::Error: return next.error;
        case Failure::Timeout: return next.timeout;
        case Failure::InvalidHeader: return next.invalid_header || next.error;  // nginx: a bad header is an error too
    }
    return false;
}

// proxy_request_buffering: reads the whole request body into `body`
// before the upstream is contacted, so that a client trickling its upload
// never holds an upstream connection (or a sync worker behind it).
// Returns nothing when done, or the outcome to end with.
asio::awaitable<std::optional<Outcome>> read_whole_body(ClientSide client, const Settings& settings, BodyBuffer& body,
                                                        std::uint64_t limit, const http::Request& request) {
    while (true) {
        if (!client.body_piece.empty()) {
            if (!body.append(client.body_piece)) {
                log::error("cannot write the temporary file for a request body");
                co_return co_await answer(client, error_page(500, false), request);
            }
            client.body_piece.clear();
            if (body.size() > limit) co_return co_await answer(client, error_page(413, false), request);
        }
        if (client.parser.message_complete()) co_return std::nullopt;
        if (client.pending.empty()) {
            const auto read = co_await read_some_for(client.socket, client.pending, settings.client_body_timeout);
            if (read.status == IoStatus::TimedOut) co_return Outcome{408, 0, false, false};
            if (!read.ok()) co_return Outcome{499, 0, false, false};  // nginx's code for "the client went away"
        }
        client.pending.erase(0, client.parser.feed(client.pending));
        if (client.parser.error()) co_return co_await answer(client, error_page(400, false), request);
    }
}

// Sends the request body: from the buffer when it was read whole, else
// straight from the client as it arrives (proxy_request_buffering off).
asio::awaitable<IoResult> send_body(ClientSide client, net::Socket& upstream, BodyBuffer* buffered,
                                    const Settings& settings, std::optional<Outcome>& client_failure) {
    if (buffered) {
        std::string piece;
        buffered->rewind();
        while (buffered->read_next(piece, write_piece)) {
            const auto sent = co_await write_all_for(upstream, piece, settings.proxy_send_timeout);
            if (!sent.ok()) co_return sent;
        }
        co_return IoResult{};
    }
    while (true) {
        if (!client.body_piece.empty()) {
            const auto sent = co_await write_all_for(upstream, client.body_piece, settings.proxy_send_timeout);
            client.body_piece.clear();
            if (!sent.ok()) co_return sent;
        }
        if (client.parser.message_complete()) co_return IoResult{};
        if (client.pending.empty()) {
            const auto read = co_await read_some_for(client.socket, client.pending, settings.client_body_timeout);
            if (!read.ok()) {
                client_failure = Outcome{read.status == IoStatus::TimedOut ? 408 : 499, 0, false, false};
                co_return read;
            }
        }
        client.pending.erase(0, client.parser.feed(client.pending));
        if (client.parser.error()) {
            client_failure = Outcome{400, 0, false, false};
            co_return IoResult{IoStatus::Failed, {}};
        }
    }
}

// The request's body, as the exchange sends it.
struct RequestBody {
    explicit RequestBody(std::size_t memory_limit) : buffer(memory_limit) {}
    bool present = false;                 // Content-Length or chunked
    bool buffered = false;                // read whole into `buffer` (else it streams)
    std::optional<std::size_t> length;    // what goes upstream as Content-Length
    BodyBuffer buffer;
};

// Everything about the body before any upstream is contacted: the size
// limit (413 before a byte of it is read), "100 Continue", and reading it
// whole when buffering (always for chunked: it goes upstream with a
// length). Returns the outcome to end with, if it ends here.
asio::awaitable<std::optional<Outcome>> prepare_body(ClientSide client, const http::Request& request,
                                                     const Settings& settings, const RequestContext& context,
                                                     RequestBody& body) {
    if (const auto length = request.headers.get("Content-Length")) body.length = std::stoull(std::string(*length));
    const bool chunked = request.headers.has_token("Transfer-Encoding", "chunked");
    body.present = body.length || chunked;
    const auto limit = settings.client_max_body_size ? settings.client_max_body_size
                                                     : std::numeric_limits<std::uint64_t>::max();
    if (body.length && *body.length > limit) {
        log::error("client intended to send too large body: {} bytes, client: {}, server: {}", *body.length,
                   context.connection.remote_host, context.server_name);
        co_return co_await answer(client, error_page(413, false), request);
    }
    if (!client.parser.message_complete() && request.version == http::Version{1, 1} &&
        request.headers.has_token("Expect", "100-continue")) {
        const auto written = co_await write_all_for(client.socket, "HTTP/1.1 100 Continue\r\n\r\n", send_timeout);
        if (!written.ok()) co_return Outcome{499, 0, false, false};
    }
    body.buffered = body.present && (settings.proxy_request_buffering || chunked);
    if (!body.buffered) co_return std::nullopt;
    if (auto ended = co_await read_whole_body(client, settings, body.buffer, limit, request)) co_return *ended;
    body.length = body.buffer.size();
    co_return std::nullopt;
}

}  // namespace

asio::awaitable<Outcome> answer(ClientSide client, http::Response response, const http::Request& request) {
    // A body the client is still sending would be mistaken for the next
    // request: close after answering unless it has all arrived.
    response.keep_alive = response.keep_alive && client.parser.message_complete() && request.keep_alive;
    if (!response.keep_alive) response.headers.set("Connection", "close");
    else response.headers.set("Connection", "keep-alive");
    const std::size_t body_bytes = request.method == "HEAD" ? 0 : response.body.size();
    std::string bytes = request.method == "HEAD" ? http::serialize_response_head(response, {.server = server_header})
                                                 : http::serialize_response(response, {.server = server_header});
    const auto written = co_await write_all_for(client.socket, bytes, send_timeout);
    co_return Outcome{response.status, body_bytes, response.keep_alive && written.ok(), true};
}

asio::awaitable<Outcome> proxy_request(ClientSide client, const http::Request& request, const Location& location,
                                       RequestContext& context, Upstreams& upstreams) {
    const auto& settings = location.settings;
    const auto& pass = *location.proxy_pass;
    context.proxy_host = pass.proxy_host();
    const std::string target = upstream_target(location, request);
    // nginx 1.29.7+ keeps connections to every upstream, named or not.
    const int keepalive = pass.upstream ? pass.upstream->keepalive : 32;

    RequestBody body(settings.client_body_buffer_size);
    if (auto ended = co_await prepare_body(client, request, settings, context, body)) co_return *ended;

    // Try servers until one answers: connect (or reuse a kept connection),
    // send, read the head. A server that fails is reported to the balancer
    // and, as proxy_next_upstream allows, the next one is tried. A reused
    // connection the upstream had closed meanwhile fails before any byte
    // of an answer: that is retried on a fresh connection to the same server.
    const std::string head = upstream_request_head(request, target, location, context, body.length, keepalive > 0);
    // A body read whole into memory leaves with the head, in one write: the
    // app server then wakes up once for the request, not twice.
    const auto small_body = body.present && body.buffered ? body.buffer.whole_in_memory() : std::nullopt;
    const std::string head_and_small_body = small_body ? std::string(head).append(*small_body) : std::string();
    const auto& next = settings.proxy_next_upstream;
    // nginx never sends these twice (unless told: proxy_next_upstream non_idempotent).
    const bool idempotent = request.method != "POST" && request.method != "PATCH" && request.method != "LOCK";
    const bool resendable = body.buffered || !body.present;  // a streamed body is gone once sent
    const auto executor = co_await asio::this_coro::executor;  // alone: g++ 12 mis-compiles co_await in initializers
    std::vector<const UpstreamServer*> tried;
    int tries = 0;
    const int max_tries = settings.proxy_next_upstream_tries ? settings.proxy_next_upstream_tries : 1 << 20;
    int last_failure_status = 502;
    bool fresh_only = false;  // after a stale kept connection: connect anew
    while (true) {
        const UpstreamServer* server = nullptr;
        asio::ip::tcp::endpoint endpoint;
        if (pass.upstream) {
            server = upstreams.balancer.pick(*pass.upstream, tried);
            if (!server) {
                log_upstream_error("no live upstreams while connecting to upstream", context, {endpoint, target});
                break;
            }
            endpoint = server->endpoint;
        } else {
            endpoint = pass.endpoint;
        }
        const UpstreamAddress upstream_url{endpoint, target};
        ++tries;
        // After a failure: next server, if the rules allow it. Returns false
        // when the client must get the failure instead.
        bool request_sent = false;
        const auto fail_over = [&](Failure failure, int status) {
            last_failure_status = status;
            if (server) upstreams.balancer.finished(*server, true);
            if (server) tried.push_back(server);
            fresh_only = false;
            const bool sent_and_unsafe = request_sent && !idempotent && !next.non_idempotent;
            return server && !sent_and_unsafe && (request_sent ? resendable : true) && may_try_next(next, failure) &&
                   tries < max_tries && static_cast<int>(tried.size()) < static_cast<int>(pass.upstream->servers.size());
        };
        if (server) upstreams.balancer.started(*server);

        auto kept = !fresh_only && keepalive > 0 ? upstreams.pool.take(endpoint, !idempotent) : std::nullopt;
        const bool reused = kept.has_value();
        fresh_only = false;
        net::Socket upstream = reused ? std::move(*kept) : net::Socket(executor);
        if (!reused) {
            const auto connected = co_await connect_for(upstream, endpoint, settings.proxy_connect_timeout);
            if (!connected.ok()) {
                const bool timed_out = connected.status == IoStatus::TimedOut;
                log_upstream_error((timed_out ? describe(connected) : "connect() failed " + describe(connected)) +
                                       " while connecting to upstream",
                                   context, upstream_url);
                if (fail_over(timed_out ? Failure::Timeout : Failure::Error, timed_out ? 504 : 502)) continue;
                break;
            }
        }
        const bool stale_retry_allowed = reused && idempotent && resendable;
        std::optional<Outcome> client_failure;
        request_sent = true;
        auto sent = co_await write_all_for(upstream, small_body ? head_and_small_body : head, settings.proxy_send_timeout);
        if (sent.ok() && body.present && !small_body)
            sent = co_await send_body(client, upstream, body.buffered ? &body.buffer : nullptr, settings, client_failure);
        if (client_failure) {
            if (server) upstreams.balancer.finished(*server, false);  // not the server's fault
            co_return *client_failure;
        }
        if (!sent.ok()) {
            if (stale_retry_allowed) {
                if (server) upstreams.balancer.finished(*server, false);
                fresh_only = true;
                --tries;
                continue;
            }
            log_upstream_error(describe(sent) + " while sending request to upstream", context, upstream_url);
            const bool timed_out = sent.status == IoStatus::TimedOut;
            if (fail_over(timed_out ? Failure::Timeout : Failure::Error, timed_out ? 504 : 502)) continue;
            break;
        }

        UpstreamReply reply(request.method, settings);
        const auto head_result = co_await read_response_head(upstream, reply, settings);
        if (!head_result.ok()) {
            const bool timed_out = head_result.io.status == IoStatus::TimedOut;
            if (stale_retry_allowed && !reply.any_byte && !timed_out) {
                if (server) upstreams.balancer.finished(*server, false);
                fresh_only = true;
                --tries;
                continue;
            }
            log_upstream_error(head_result.problem + " while reading response header from upstream", context,
                               upstream_url);
            const bool invalid = reply.parser.error() && !reply.parser.headers_complete();
            if (fail_over(timed_out ? Failure::Timeout : invalid ? Failure::InvalidHeader : Failure::Error,
                          timed_out ? 504 : 502))
                continue;
            break;
        }
        // proxy_next_upstream http_502 (and the like): this answer counts as
        // a failure, unless no other server is left, when the client gets it.
        const int status = reply.parser.status();
        const bool unwanted = !next.off && std::find(next.statuses.begin(), next.statuses.end(), status) != next.statuses.end();
        if (unwanted && server) {
            const auto saved_tried = tried;
            if (fail_over(Failure::Error, status) && upstreams.balancer.available(*pass.upstream, tried)) continue;
            tried = saved_tried;  // nowhere else to go: pass this answer on
        }
        // As soon as the answer is read, the connection goes back to the pool
        // (or closes), and the server counts as done, while a slow client
        // may still be draining the buffer.
        const auto release = [&](bool reusable) {
            if (server && !unwanted) upstreams.balancer.finished(*server, false);
            if (reusable && keepalive > 0) upstreams.pool.give_back(endpoint, std::move(upstream), keepalive);
            else {
                boost::system::error_code ignored;
                upstream.close(ignored);
            }
        };
        // std::cref: the std::function refers to the lambda, which outlives
        // the relay, instead of copying its six captures to the heap.
        co_return co_await relay_response(client, upstream, reply, request, location, context, upstream_url,
                                          std::cref(release));
    }
    // No server left to try: the client gets the last failure (502 or 504).
    co_return co_await answer(client, error_page(last_failure_status, true), request);
}

}  // namespace webstack::stage4
