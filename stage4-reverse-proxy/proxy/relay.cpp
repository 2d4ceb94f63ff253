#include "proxy/relay.hpp"

#include "http/message_rules.hpp"
#include "http/serializer.hpp"
#include "log/log.hpp"
#include "proxy/body_buffer.hpp"
#include "proxy/gzip.hpp"
#include "proxy/responses.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <limits>
#include <memory>

namespace webstack::stage4 {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

// Reusable: the answer ended where its framing said (not at a close),
// nothing extra came after it, and the upstream did not say "close".
bool reusable(const UpstreamReply& reply) {
    return reply.parser.message_complete() && !reply.parser.error() && reply.unparsed.empty() &&
           reply.parser.keep_alive();
}

// The head for the client, framed for the client: the upstream's
// Content-Length, else chunked for HTTP/1.1, else "until the close".
struct ClientHead {
    std::string bytes;
    bool chunked = false;
    bool keep_alive = false;
    std::unique_ptr<GzipStream> gzip;  // `gzip on` compresses this answer's body (gzip.hpp)

    // A piece of the body as the client gets it: compressed (maybe into
    // nothing yet; `last` flushes), then framed as a chunk.
    std::string framed(std::string_view piece, bool last) {
        std::string out = gzip ? gzip->compress(piece, last) : std::string(piece);
        if (chunked) out = http::serialize_chunk(out) + (last ? http::serialize_last_chunk() : "");
        return out;
    }
};

std::optional<std::uint64_t> length_of(const http::ResponseParser& upstream) {
    const auto text = upstream.headers().get("Content-Length");
    if (!text) return std::nullopt;
    return std::strtoull(std::string(*text).c_str(), nullptr, 10);
}

// The gzip filter's verdict on the upstream's answer.
GzipDecision gzip_for(const http::ResponseParser& upstream, const Proxying& proxying) {
    if (!proxying.settings().gzip) return {};
    const auto& headers = upstream.headers();
    return decide_gzip(proxying.settings(), proxying.request, upstream.status(),
                       headers.get("Content-Type").value_or(""), length_of(upstream), &headers);
}

ClientHead client_head(const http::ResponseParser& upstream, const Proxying& proxying) {
    const auto& request = proxying.request;
    proxying.context.upstream_headers = &upstream.headers();  // $upstream_http_NAME, while it lives
    ClientHead head;
    const auto& override = proxying.context.status_override;  // error_page's
    head.bytes = http::start_response_head(override.value_or(upstream.status()), override ? "" : upstream.reason(),
                                           server_header);
    const auto gzip = gzip_for(upstream, proxying);
    append_headers_for_client(head.bytes, upstream.headers(), proxying.location, proxying.context, gzip.compress);
    append_added_headers(head.bytes, upstream.status(), proxying.context);
    if (gzip.vary) http::append_field(head.bytes, "Vary", "Accept-Encoding");
    if (gzip.compress) http::append_field(head.bytes, "Content-Encoding", "gzip");
    head.keep_alive = request.keep_alive && proxying.settings().keepalive_timeout.count() > 0;
    // Compressed, the length is known only at the end.
    const auto length = gzip.compress ? std::nullopt : upstream.headers().get("Content-Length");
    if (length) http::append_field(head.bytes, "Content-Length", *length);  // a HEAD's too: the GET's length
    const auto framing = http::response_framing(request, upstream.status(), length.has_value());
    if (gzip.compress && framing != http::Framing::NoBody)
        head.gzip = std::make_unique<GzipStream>(proxying.settings().gzip_comp_level, length_of(upstream));
    switch (framing) {
        case http::Framing::Chunked:
            http::append_field(head.bytes, "Transfer-Encoding", "chunked");
            head.chunked = true;
            break;
        case http::Framing::UntilClose: head.keep_alive = false; break;  // HTTP/1.0: the end of the body is the close
        case http::Framing::NoBody:
        case http::Framing::ContentLength: break;
    }
    http::append_field(head.bytes, "Connection", head.keep_alive ? "keep-alive" : "close");
    if (head.keep_alive && proxying.settings().keepalive_header)
        http::append_field(head.bytes, "Keep-Alive", "timeout=" + std::to_string(*proxying.settings().keepalive_header));
    head.bytes += "\r\n";
    remember_sent_head(proxying.context, head.bytes);
    return head;
}

// Reads more of the body from the upstream into reply.body_piece. False
// when the body cannot complete (timeout, reset, a premature close).
asio::awaitable<bool> read_more_body(UpstreamSide upstream, const Proxying& proxying) {
    auto& reply = upstream.reply;
    if (reply.unparsed.empty()) {
        const auto read = co_await read_some_for(upstream.socket, reply.unparsed, proxying.settings().proxy_read_timeout);
        reply.bytes_received += reply.unparsed.size();  // it was empty
        if (read.status == IoStatus::Closed) reply.parser.finish();
        else if (!read.ok()) {
            log_upstream_error(describe(read) + " while reading upstream", proxying.context, upstream.address);
            co_return false;
        }
    }
    reply.unparsed.erase(0, reply.parser.feed(reply.unparsed));
    if (reply.parser.error()) {
        log_upstream_error("upstream prematurely closed connection while reading upstream", proxying.context,
                           upstream.address);
        co_return false;
    }
    co_return true;
}

// proxy_buffering off: each piece goes to the client before the next is
// read, so the upstream moves at the client's pace.
asio::awaitable<Outcome> relay_streaming(const Proxying& proxying, UpstreamSide upstream) {
    auto& reply = upstream.reply;
    auto head = client_head(reply.parser, proxying);
    Outcome outcome{reply.parser.status(), 0, head.keep_alive};
    std::string out = std::move(head.bytes);  // the head, then what of the body has come
    while (true) {
        if (head.gzip) {
            // Compressed: what the client gets is counted, as nginx's $body_bytes_sent.
            const auto framed = head.framed(reply.body_piece, reply.parser.message_complete());
            outcome.body_bytes += framed.size();
            out += framed;
            reply.body_piece.clear();
        } else {
            if (!reply.body_piece.empty()) {
                outcome.body_bytes += reply.body_piece.size();
                if (head.chunked) http::append_chunk(out, reply.body_piece);
                else out += reply.body_piece;
                reply.body_piece.clear();
            }
            if (reply.parser.message_complete() && head.chunked) out += http::serialize_last_chunk();
        }
        if (!out.empty() && !(co_await write_all_for(proxying.client.socket, out, proxying.client.send_timeout)).ok()) {
            outcome.keep_alive = false;  // the client went away
            co_return outcome;
        }
        out.clear();
        if (reply.parser.message_complete()) co_return outcome;
        if (!co_await read_more_body(upstream, proxying)) {
            outcome.keep_alive = false;  // the client sees a cut body: the honest signal
            co_return outcome;
        }
    }
}

// proxy_buffering on: one coroutine reads the upstream into a BodyBuffer as
// fast as it comes (and so frees it early), the other drains the buffer to
// the client at the client's pace. They run at once (`&&`); a timer used as
// a bell wakes the writer when the reader added bytes. No ring is lost:
// both run on the worker's one thread, and the writer looks at the buffer
// right before it waits, with nothing in between that could let the
// reader run.
struct BufferedRelay {
    BufferedRelay(std::size_t memory_limit, std::string temp_folder, const asio::any_io_executor& executor)
        : buffer(memory_limit, std::move(temp_folder)), bell(executor) {}
    BodyBuffer buffer;
    asio::steady_timer bell;
    bool upstream_done = false;
    bool upstream_failed = false;
};

asio::awaitable<void> fill_from_upstream(BufferedRelay& relay, const Proxying& proxying, UpstreamSide upstream,
                                         const ReleaseUpstream& release_upstream) {
    auto& reply = upstream.reply;
    while (true) {
        if (!reply.body_piece.empty()) {
            if (!relay.buffer.append(reply.body_piece)) {
                log::error("cannot write the temporary file for a buffered response, upstream: \"{}\"",
                           upstream.address.url());
                relay.upstream_failed = true;
                break;
            }
            reply.body_piece.clear();
            relay.bell.cancel();
        }
        if (reply.parser.message_complete()) break;
        if (!co_await read_more_body(upstream, proxying)) {
            relay.upstream_failed = true;
            break;
        }
    }
    relay.upstream_done = true;
    relay.bell.cancel();
    release_upstream(!relay.upstream_failed && reusable(reply));  // free now, however slow the client
    co_return;
}

asio::awaitable<void> drain_to_client(BufferedRelay& relay, const ClientSide& client, ClientHead& head,
                                      Outcome& outcome) {
    const bool chunked = head.chunked;
    std::string piece;
    while (true) {
        if (relay.buffer.read_next(piece, write_piece)) {
            outcome.body_bytes += piece.size();
            const std::string framed = head.framed(piece, false);
            const auto written = co_await write_all_for(client.socket, framed, client.send_timeout);
            if (!written.ok()) {
                outcome.keep_alive = false;
                co_return;
            }
            continue;
        }
        if (relay.upstream_done) break;
        relay.bell.expires_after(std::chrono::hours(1));
        co_await relay.bell.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled = rung
    }
    if (relay.upstream_failed) {
        outcome.keep_alive = false;  // a cut body: close
        co_return;
    }
    if (chunked || head.gzip) {
        const std::string last_chunk = head.framed("", true);
        const auto written = co_await write_all_for(client.socket, last_chunk, client.send_timeout);
        if (!written.ok()) outcome.keep_alive = false;
    }
    co_return;
}

asio::awaitable<Outcome> relay_buffered(const Proxying& proxying, UpstreamSide upstream,
                                        const ReleaseUpstream& release_upstream) {
    const auto& settings = proxying.settings();
    auto head = client_head(upstream.reply.parser, proxying);
    Outcome outcome{upstream.reply.parser.status(), 0, head.keep_alive};
    const auto head_written = co_await write_all_for(proxying.client.socket, head.bytes, proxying.client.send_timeout);
    if (!head_written.ok()) {
        outcome.keep_alive = false;
        release_upstream(false);
        co_return outcome;
    }
    const auto executor = co_await asio::this_coro::executor;  // on its own line (a g++ 12 bug: timed_io.hpp)
    BufferedRelay relay(static_cast<std::size_t>(settings.proxy_buffers_count) * settings.proxy_buffers_size,
                        settings.proxy_temp_path, executor);
    co_await (fill_from_upstream(relay, proxying, upstream, release_upstream) &&
              drain_to_client(relay, proxying.client, head, outcome));
    co_return outcome;
}

}  // namespace

asio::awaitable<Outcome> relay_response(const Proxying& proxying, UpstreamSide upstream,
                                        const ReleaseUpstream& release_upstream) {
    Outcome outcome;
    // An answer that came whole with its head needs no buffering: it goes
    // out as it is, in one write (relay_streaming), even with proxy_buffering on.
    // proxy_max_temp_file_size 0: no file; what memory cannot hold waits for the client.
    const auto& settings = proxying.settings();
    if (settings.proxy_buffering && settings.proxy_max_temp_file_size != 0 && !upstream.reply.parser.message_complete()) {
        outcome = co_await relay_buffered(proxying, upstream, release_upstream);
    } else {
        outcome = co_await relay_streaming(proxying, upstream);
        release_upstream(reusable(upstream.reply));
    }
    co_return outcome;
}

}  // namespace webstack::stage4
