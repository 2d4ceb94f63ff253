#include "proxy/request_body.hpp"

#include "http/message_rules.hpp"
#include "http/serializer.hpp"
#include "log/log.hpp"
#include "proxy/responses.hpp"

#include <limits>

namespace webstack::stage4 {

namespace {

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
            if (read.status == IoStatus::TimedOut) co_return Outcome::without_answer(408);
            if (!read.ok()) co_return Outcome::without_answer(499);  // nginx's code for "the client went away"
        }
        client.pending.erase(0, client.parser.feed(client.pending));
        if (client.parser.error()) co_return co_await answer(client, error_page(400, false), request);
    }
}

}  // namespace

asio::awaitable<std::optional<Outcome>> prepare_body(const Proxying& proxying, RequestBody& body) {
    const auto& request = proxying.request;
    const auto& settings = proxying.settings();
    const auto& context = proxying.context;
    const auto& client = proxying.client;
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
    // nginx says "100 Continue" whenever it is asked to, before it reads
    // the body, even one that has arrived already (or is empty).
    if (http::expects_100_continue(request)) {
        const auto written = co_await write_all_for(client.socket, "HTTP/1.1 100 Continue\r\n\r\n", client.send_timeout);
        if (!written.ok()) co_return Outcome::without_answer(499);
    }
    // proxy_pass_request_body off: read (the connection must go past it), not passed on.
    body.buffered = body.present && (settings.proxy_request_buffering || !settings.proxy_pass_request_body ||
                                     (chunked && settings.proxy_http_version == "1.0"));
    if (!body.buffered) {
        body.chunked = chunked;
        co_return std::nullopt;
    }
    if (auto ended = co_await read_whole_body(client, settings, body.buffer, limit, request)) co_return *ended;
    body.length = body.buffer.size();
    // $request_body and $request_body_file, while this body lives (serve_client forgets them after).
    proxying.context.request_body = body.buffer.whole_in_memory();
    proxying.context.request_body_file = body.buffer.path();
    if (!settings.proxy_pass_request_body) {
        body.present = false;
        body.length.reset();
    }
    co_return std::nullopt;
}

asio::awaitable<IoResult> send_body(const Proxying& proxying, net::Socket& upstream, RequestBody& body,
                                    std::optional<Outcome>& client_failure, std::string_view head) {
    const auto& settings = proxying.settings();
    const auto& client = proxying.client;
    if (body.buffered) {
        std::string piece;
        body.buffer.rewind();  // a second try sends it again from the start
        while (body.buffer.read_next(piece, write_piece)) {
            const auto sent = co_await write_all_for(upstream, piece, settings.proxy_send_timeout);
            if (!sent.ok()) co_return sent;
        }
        co_return IoResult{};
    }
    body.streamed.clear();
    body.streamed_too_large = false;
    std::string out(head);  // the head first, with the body bytes that came with it
    client.pending.erase(0, client.parser.feed(client.pending));
    while (true) {
        if (client.parser.error()) {
            client_failure = Outcome::without_answer(400);
            co_return IoResult{IoStatus::Failed, {}};
        }
        if (!client.body_piece.empty()) {
            if (!body.streamed_too_large) {  // $request_body, while it fits
                body.streamed_too_large = body.streamed.size() + client.body_piece.size() > settings.client_body_buffer_size;
                if (body.streamed_too_large) body.streamed = std::string();
                else body.streamed += client.body_piece;
            }
            out += body.chunked ? http::serialize_chunk(client.body_piece) : client.body_piece;  // re-framed for the upstream
            client.body_piece.clear();
        }
        const bool complete = client.parser.message_complete();
        if (complete && body.chunked) out += http::serialize_last_chunk();
        if (!out.empty()) {
            const auto sent = co_await write_all_for(upstream, out, settings.proxy_send_timeout);
            out.clear();
            if (!sent.ok()) co_return sent;
        }
        if (complete) {
            if (!body.streamed_too_large) proxying.context.request_body = body.streamed;  // $request_body
            co_return IoResult{};
        }
        if (client.pending.empty()) {
            const auto read = co_await read_some_for(client.socket, client.pending, settings.client_body_timeout);
            if (!read.ok()) {
                client_failure = Outcome::without_answer(read.status == IoStatus::TimedOut ? 408 : 499);
                co_return read;
            }
        }
        client.pending.erase(0, client.parser.feed(client.pending));
    }
}

}  // namespace webstack::stage4
