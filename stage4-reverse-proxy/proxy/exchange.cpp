#include "proxy/exchange.hpp"

#include "http/serializer.hpp"
#include "log/log.hpp"
#include "proxy/body_buffer.hpp"
#include "proxy/relay.hpp"
#include "proxy/responses.hpp"
#include "proxy/routing.hpp"
#include "proxy/timed_io.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>

#include <limits>

namespace webstack::stage4 {

namespace {

constexpr Duration send_timeout{60'000};  // nginx's send_timeout default, for writes to the client
constexpr std::size_t write_piece = 64 * 1024;

// The address to connect to. Part 1 uses an upstream block's first
// non-backup server; balancing over all of them is part 2.
asio::ip::tcp::endpoint upstream_endpoint(const ProxyPass& pass) {
    std::string host = pass.host;
    int port = pass.port;
    if (pass.upstream) {
        const auto& servers = pass.upstream->servers;
        auto chosen = std::find_if(servers.begin(), servers.end(), [](const auto& server) { return !server.backup; });
        if (chosen == servers.end()) chosen = servers.begin();
        host = chosen->host;
        port = chosen->port;
    }
    if (host == "localhost") host = "127.0.0.1";
    return {asio::ip::make_address(host), static_cast<unsigned short>(port)};
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
                                       RequestContext& context, UpstreamPool& pool) {
    const auto& settings = location.settings;
    const auto& pass = *location.proxy_pass;
    context.proxy_host = pass.proxy_host();
    const auto endpoint = upstream_endpoint(pass);
    const std::string target = upstream_target(location, request);
    const UpstreamAddress upstream_url{endpoint, target};
    // nginx 1.29.7+ keeps connections to every upstream, named or not.
    const int keepalive = pass.upstream ? pass.upstream->keepalive : 32;

    // The request body: its size first (413 before reading it), then 100 Continue.
    std::optional<std::size_t> body_length;
    if (const auto length = request.headers.get("Content-Length")) body_length = std::stoull(std::string(*length));
    const bool chunked = request.headers.has_token("Transfer-Encoding", "chunked");
    const auto limit = settings.client_max_body_size ? settings.client_max_body_size
                                                     : std::numeric_limits<std::uint64_t>::max();
    if (body_length && *body_length > limit) {
        log::error("client intended to send too large body: {} bytes, client: {}, server: {}", *body_length,
                   context.connection.remote_host, context.server_name);
        co_return co_await answer(client, error_page(413, false), request);
    }
    if (!client.parser.message_complete() && request.version == http::Version{1, 1} &&
        request.headers.has_token("Expect", "100-continue")) {
        if (!(co_await write_all_for(client.socket, "HTTP/1.1 100 Continue\r\n\r\n", send_timeout)).ok())
            co_return Outcome{499, 0, false, false};
    }
    // A chunked body is always read whole: it goes upstream with a length.
    BodyBuffer body(settings.client_body_buffer_size);
    const bool buffer_body = (body_length || chunked) && (settings.proxy_request_buffering || chunked);
    if (buffer_body) {
        if (auto ended = co_await read_whole_body(client, settings, body, limit, request)) co_return *ended;
        body_length = body.size();
    }

    // Connect (or reuse a kept connection), send, read the head. A reused
    // connection the upstream had closed fails before any byte of an
    // answer: then try once more on a fresh one, if the body can be resent.
    const std::string head = upstream_request_head(request, target, location, context, body_length, keepalive > 0);
    // nginx never sends these twice (unless told: proxy_next_upstream non_idempotent).
    const bool idempotent = request.method != "POST" && request.method != "PATCH" && request.method != "LOCK";
    const auto executor = co_await asio::this_coro::executor;  // alone: g++ 12 mis-compiles co_await in initializers
    for (int attempt = 0;; ++attempt) {
        auto kept = attempt == 0 && keepalive > 0 ? pool.take(endpoint, !idempotent) : std::nullopt;
        const bool reused = kept.has_value();
        net::Socket upstream = reused ? std::move(*kept) : net::Socket(executor);
        if (!reused) {
            const auto connected = co_await connect_for(upstream, endpoint, settings.proxy_connect_timeout);
            if (!connected.ok()) {
                const bool timed_out = connected.status == IoStatus::TimedOut;
                log_upstream_error((timed_out ? describe(connected) : "connect() failed " + describe(connected)) +
                                       " while connecting to upstream",
                                   context, upstream_url);
                co_return co_await answer(client, error_page(timed_out ? 504 : 502, true), request);
            }
        }
        const bool can_retry = reused && idempotent && (buffer_body || !(body_length || chunked));
        std::optional<Outcome> client_failure;
        auto sent = co_await write_all_for(upstream, head, settings.proxy_send_timeout);
        if (sent.ok() && (body_length || chunked))
            sent = co_await send_body(client, upstream, buffer_body ? &body : nullptr, settings, client_failure);
        if (client_failure) co_return *client_failure;
        if (!sent.ok() && can_retry) continue;
        if (!sent.ok()) {
            log_upstream_error(describe(sent) + " while sending request to upstream", context, upstream_url);
            co_return co_await answer(client, error_page(sent.status == IoStatus::TimedOut ? 504 : 502, true), request);
        }

        UpstreamReply reply(request.method, settings);
        const auto head_result = co_await read_response_head(upstream, reply, settings);
        if (!head_result.ok()) {
            if (can_retry && !reply.any_byte && head_result.io.status != IoStatus::TimedOut) continue;
            log_upstream_error(head_result.problem + " while reading response header from upstream", context,
                               upstream_url);
            const bool timed_out = head_result.io.status == IoStatus::TimedOut;
            co_return co_await answer(client, error_page(timed_out ? 504 : 502, true), request);
        }
        bool reusable = false;
        const auto outcome =
            co_await relay_response(client, upstream, reply, request, location, context, upstream_url, reusable);
        if (reusable && keepalive > 0) pool.give_back(endpoint, std::move(upstream), keepalive);
        co_return outcome;
    }
}

}  // namespace webstack::stage4
