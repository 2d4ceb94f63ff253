#include "proxy/client_connection.hpp"

#include "http/message_rules.hpp"
#include "http/target.hpp"
#include "log/log.hpp"
#include "proxy/access_logs.hpp"
#include "proxy/error_pages.hpp"
#include "proxy/exchange.hpp"
#include "proxy/route.hpp"
#include "proxy/responses.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include <limits>
#include <optional>

namespace webstack::stage4 {

namespace {

// The limits every request on this address is parsed with, from the
// default server (nginx reads the head before it knows the server, too).
http::ParserLimits limits_of(const Settings& settings) {
    return {.max_request_line = settings.large_client_header_buffers_size,
            .max_header_count = 1000,  // nginx counts bytes, not fields
            .max_header_field_size = settings.large_client_header_buffers_size,
            .max_body_size = std::numeric_limits<std::size_t>::max(),  // client_max_body_size is per location
            .line_ends = http::LineEnds::CrlfOrLf};  // nginx reads a bare LF as a line end
}

// nginx's answers to a head it cannot use.
int status_for(http::ParseErrorKind kind) {
    switch (kind) {
        case http::ParseErrorKind::BodyTooLarge: return 413;
        case http::ParseErrorKind::RequestLineTooLong: return 414;
        case http::ParseErrorKind::HeaderFieldsTooLarge: return 494;  // sent as 400 "Request Header Or Cookie Too Large"
        case http::ParseErrorKind::UnknownTransferCoding:
        case http::ParseErrorKind::BadTransferEncoding: return 501;  // nginx knows "chunked", and nothing else
        case http::ParseErrorKind::UnsupportedVersion: return 505;
        case http::ParseErrorKind::Malformed: break;
    }
    return 400;
}

// How reading a request head ended.
enum class HeadOutcome {
    Complete,  // a whole head: route it
    Invalid,   // the parser gave up: an error page (400, 414, 431, ...)
    TimedOut,  // client_header_timeout in the middle of a head: 408, no answer
    Idle,      // no next request came (keepalive_timeout, or we are stopping)
    Closed,    // the client closed (or the connection failed)
};

// How much one read of a request head takes at most. nginx starts with
// client_header_buffer_size, 1k; a browser's head with cookies is often
// longer, and a longer one simply takes another read.
constexpr std::size_t head_read_size = 2 * 1024;

// Which request of a connection is being read.
enum class Turn {
    First,               // the connection's first request
    Next,                // a next one, after an answer from the app server
    NextAfterOwnAnswer,  // a next one, after an answer of our own: its read is deferred (see below)
};

// The client connection a head is read from, and where it is listed (idle or busy).
struct HeadReader {
    net::Socket& socket;
    http::RequestParser& parser;
    std::string& pending;
    ConnectionRegistry& registry;
    ConnectionRegistry::Entry& listed;
};

// Reads until the request head is complete (or the parser gave up). The
// whole head must arrive within client_header_timeout, so a client sending
// a byte at a time cannot hold the connection (unlike stage 1); waiting for
// the first byte of a next request on a kept-alive connection is bounded by
// keepalive_timeout instead (`keepalive_timeout`: the one of the block
// that answered the previous request, as nginx's).
asio::awaitable<HeadOutcome> read_head(HeadReader reader, const Settings& settings, Turn turn,
                                       Duration keepalive_timeout) {
    using Clock = net::CoarseClock;
    auto& [socket, parser, pending, registry, listed] = reader;
    const bool first_request = turn == Turn::First;
    bool defer_read = turn == Turn::NextAfterOwnAnswer;
    auto deadline = Clock::now() + settings.client_header_timeout;
    while (true) {
        if (!pending.empty()) pending.erase(0, parser.feed(pending));
        if (parser.error()) co_return HeadOutcome::Invalid;
        if (parser.headers_complete()) co_return HeadOutcome::Complete;
        const bool idle = !first_request && !parser.in_progress();
        if (idle && defer_read) {
            // A performance seam (bench/README.md): between requests a read
            // usually finds nothing yet, and Asio would try recv() first
            // anyway (a wasted system call) before waiting through epoll.
            // So we let the other connections' ready work run first
            // (asio::post puts us at the back of the queue); when we are
            // back, under load, the request has arrived and one recv() of
            // our own takes it. Only when it has not do we wait below.
            const auto executor = co_await asio::this_coro::executor;
            co_await asio::post(executor, asio::use_awaitable);
            defer_read = false;
            if (registry.stopping()) co_return HeadOutcome::Idle;
            if (net::read_arrived(socket, pending, head_read_size) > 0) {
                deadline = Clock::now() + settings.client_header_timeout;
                continue;
            }
        }
        if (idle && registry.stopping()) co_return HeadOutcome::Idle;
        const auto remaining = std::chrono::duration_cast<Duration>(deadline - Clock::now());
        const auto wait = idle ? keepalive_timeout : std::max(remaining, Duration(0));
        std::optional<ConnectionRegistry::IdleMark> idle_mark;
        if (idle) idle_mark.emplace(listed);
        const auto read = co_await read_some_for(socket, pending, wait, head_read_size);
        if (read.status == IoStatus::TimedOut) co_return idle ? HeadOutcome::Idle : HeadOutcome::TimedOut;
        if (!read.ok()) co_return HeadOutcome::Closed;
        if (idle) deadline = Clock::now() + settings.client_header_timeout;
    }
}

// keepalive_disable: MSIE 4 to 6 (not 6 with "SV1") lose a POST's answer
// on a kept connection; Safari on macOS mishandled them too (nginx's checks).
bool keepalive_disabled_for(const Settings& settings, const http::Request& request) {
    if (settings.keepalive_disable.empty()) return false;
    const std::string_view agent = request.headers.get("User-Agent").value_or("");
    if (settings.keepalive_disable.contains("msie6") && request.method == "POST") {
        const auto msie = agent.find("MSIE ");
        if (msie != std::string_view::npos && msie + 7 < agent.size() && agent[msie + 6] == '.' &&
            (agent[msie + 5] == '4' || agent[msie + 5] == '5' ||
             (agent[msie + 5] == '6' && agent.find("SV1", msie + 8) == std::string_view::npos)))
            return true;
    }
    return settings.keepalive_disable.contains("safari") && agent.find("Gecko/") == std::string_view::npos &&
           agent.find("Chrome/") == std::string_view::npos && agent.find("Safari/") != std::string_view::npos &&
           agent.find("Mac OS X") != std::string_view::npos;
}

// A body nobody read (the answer came from `return`, a file, an error
// page): read and dropped, as nginx discards it, so that the connection
// carries the next request. False when the client fails or is too slow.
asio::awaitable<bool> discard_body(ClientSide client, Duration timeout) {
    while (true) {
        if (!client.pending.empty()) client.pending.erase(0, client.parser.feed(client.pending));
        client.body_piece.clear();
        if (client.parser.error()) co_return false;
        if (client.parser.message_complete()) co_return true;
        const auto read = co_await read_some_for(client.socket, client.pending, timeout);
        if (!read.ok()) co_return false;
    }
}

void log_access(const Settings& defaults, const RequestContext& context, const Outcome& outcome) {
    // The access_log lines of the block that answered (none: `access_log off`).
    const auto& logs = context.access_log ? *context.access_log : defaults.access_log;
    if (logs.empty()) return;
    write_access_logs(logs, context, {outcome.status, outcome.body_bytes, std::chrono::steady_clock::now() - context.started});
}

// A request whose head did not arrive whole: too slow (nginx closes
// without a word and logs 408), or malformed (an error page).
Route refuse(const http::RequestParser& parser, const RequestContext& context) {
    if (!parser.error()) return Route::close(408);
    log::info("client sent invalid request: {}, client: {}", parser.error()->reason, context.connection.remote_host);
    return Route::answer(error_page(status_for(parser.error()->kind), false));
}

// Closes the connection. When the client is still sending (a body we
// refused, say), closing at once would make the kernel answer its bytes
// with a reset, which can destroy our response before it is read: so read
// and drop for a while first (nginx's lingering close).
asio::awaitable<void> close_client(net::Socket& socket, const http::RequestParser& parser, const std::string& pending) {
    boost::system::error_code ignored;
    socket.shutdown(net::Socket::shutdown_send, ignored);
    if (parser.in_progress() || !pending.empty()) {
        std::string discarded;
        for (int reads = 0; reads < 256; ++reads) {
            discarded.clear();
            if (!(co_await read_some_for(socket, discarded, Duration(1000))).ok()) break;
        }
    }
    socket.close(ignored);
}

// keepalive_requests, keepalive_time, keepalive_timeout 0, keepalive_disable:
// whether the answer to the request number `served` is the connection's last.
bool last_on_connection(const Settings& settings, const http::Request& request, int served,
                        net::CoarseClock::time_point opened_at) {
    return served >= settings.keepalive_requests || net::CoarseClock::now() - opened_at >= settings.keepalive_time ||
           settings.keepalive_timeout.count() == 0 || keepalive_disabled_for(settings, request);
}

// What a request's variables know of its connection, before the first request.
void open_connection_context(RequestContext& context, const net::Socket& socket,
                             const std::optional<DecryptedConnection>& decrypted) {
    context.connection = decrypted ? decrypted->endpoints : net::endpoints_of(socket);
    context.https = decrypted.has_value();
    static std::uint64_t connections_accepted = 0;  // one thread per worker: no lock needed
    context.connection_number = ++connections_accepted;
    context.connection_opened = std::chrono::steady_clock::now();
}

}  // namespace

asio::awaitable<void> serve_client(net::Socket socket, const ListenGroup& group, ConnectionRegistry& registry,
                                   Upstreams& upstreams, const ContentHandler* content,
                                   std::optional<DecryptedConnection> decrypted) {
    auto open = registry.open(socket);
    const Settings& defaults = group.default_server->settings;
    http::RequestParser parser(limits_of(defaults));
    std::string pending, body_piece;
    parser.stream_body_to([&body_piece](std::string_view piece) { body_piece.append(piece); });
    RequestContext context;
    open_connection_context(context, socket, decrypted);
    Duration send_timeout = defaults.send_timeout;  // set again for each request's block
    Duration keepalive_timeout = defaults.keepalive_timeout;  // so is this
    ClientSide client{socket, parser, pending, body_piece, send_timeout, context};
    ConnectionErrorPages error_pages(client, group, context, upstreams, content);
    context.error_pages = &error_pages;

    const HeadReader reader{socket, parser, pending, registry, open.entry()};
    const auto opened_at = net::CoarseClock::now();
    int requests_served = 0;
    for (auto turn = Turn::First; !registry.stopping() || turn == Turn::First;) {
        const auto head = co_await read_head(reader, defaults, turn, keepalive_timeout);
        if (head == HeadOutcome::Idle || head == HeadOutcome::Closed) break;
        http::Request request = parser.take_head();
        context.begin(request, requests_served + 1);
        // Decided by plain functions; here only what they decided is done.
        Route decided = head == HeadOutcome::Complete ? route(request, group, context) : refuse(parser, context);
        const Settings& settings = decided.location ? decided.location->settings
                                   : decided.server ? decided.server->settings
                                                    : defaults;
        send_timeout = settings.send_timeout;
        keepalive_timeout = settings.keepalive_timeout;
        if (last_on_connection(settings, request, ++requests_served, opened_at)) request.keep_alive = false;
        if (decided.kind == Route::Kind::Content && !content)
            decided = Route::answer(error_page(404, true));  // stage 4 has no files to serve
        Outcome outcome;
        switch (decided.kind) {
            case Route::Kind::Close: outcome = Outcome::without_answer(decided.status); break;
            case Route::Kind::Proxy:
                outcome = co_await proxy_request({client, request, context, *decided.location, upstreams});
                break;
            case Route::Kind::Content:
                outcome = co_await content->handle(
                    {client, request, *decided.server, decided.location, *decided.target, context, upstreams});
                break;
            case Route::Kind::Answer:
                outcome = co_await answer(client, std::move(decided.response), request);
                break;
        }
        context.request_body.reset();  // its buffer is gone with proxy_request's frame
        log_access(defaults, context, outcome);
        // The deferred read only after an answer from this process (no
        // proxy_pass was chosen): after a proxied one nothing else is queued
        // and it would come straight back too early (bench/README.md).
        turn = context.proxy_host.empty() ? Turn::NextAfterOwnAnswer : Turn::Next;
        if (!outcome.keep_alive) break;
        if (!parser.message_complete() && !co_await discard_body(client, settings.client_body_timeout)) break;
        parser.next_request();
        body_piece.clear();
    }
    co_await close_client(socket, parser, pending);
}

}  // namespace webstack::stage4
