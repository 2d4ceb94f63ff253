#include "proxy/exchange.hpp"

#include "http/serializer.hpp"
#include "log/log.hpp"
#include "proxy/responses.hpp"
#include "proxy/routing.hpp"
#include "proxy/timed_io.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>

#include <limits>

namespace webstack::stage4 {

namespace {

constexpr Duration send_timeout{60'000};  // nginx's send_timeout default, for writes to the client

// nginx's error log context: "..., client: 127.0.0.1, server: localhost,
// request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8000/", host: "..."".
void log_upstream_error(const std::string& what, const RequestContext& context, const std::string& upstream_url) {
    const auto& request = *context.request;
    log::error("{}, client: {}, server: {}, request: \"{} {} HTTP/{}.{}\", upstream: \"{}\", host: \"{}\"", what,
               context.connection.remote_host, context.server_name, request.method, request.target,
               request.version.major, request.version.minor, upstream_url,
               std::string(request.headers.get("Host").value_or("")));
}

std::string describe(const IoResult& result) {
    if (result.status == IoStatus::TimedOut) return "upstream timed out (110: Connection timed out)";
    if (result.status == IoStatus::Closed) return "upstream prematurely closed connection";
    return std::string("(") + std::to_string(result.error.value()) + ": " + result.error.message() + ")";
}

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

// Frames one piece of the body for the client.
std::string framed(std::string_view piece, bool chunked) {
    return chunked ? http::serialize_chunk(piece) : std::string(piece);
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

namespace {

// Reads the rest of the request body into client.body_piece (for a chunked
// body, which goes upstream with a Content-Length). False on timeout,
// close, or a body over client_max_body_size.
asio::awaitable<IoResult> read_whole_body(ClientSide client, const Settings& settings) {
    while (!client.parser.message_complete()) {
        if (client.pending.empty()) {
            const auto read = co_await read_some_for(client.socket, client.pending, settings.client_body_timeout);
            if (!read.ok()) co_return read;
        }
        client.pending.erase(0, client.parser.feed(client.pending));
        if (client.parser.error()) co_return IoResult{IoStatus::Failed, {}};
    }
    co_return IoResult{};
}

// Feeds the client's body to the upstream as it arrives (Content-Length bodies).
asio::awaitable<IoResult> stream_body(ClientSide client, net::Socket& upstream, const Settings& settings,
                                      bool& client_failed) {
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
                client_failed = true;
                co_return read;
            }
        }
        client.pending.erase(0, client.parser.feed(client.pending));
        if (client.parser.error()) {
            client_failed = true;
            co_return IoResult{IoStatus::Failed, {}};
        }
    }
}

}  // namespace

asio::awaitable<Outcome> proxy_request(ClientSide client, const http::Request& request, const Location& location,
                                       RequestContext& context) {
    const auto& settings = location.settings;
    const auto& pass = *location.proxy_pass;
    context.proxy_host = pass.proxy_host();
    const auto endpoint = upstream_endpoint(pass);
    const std::string target = upstream_target(location, request);
    const std::string upstream_url = "http://" + endpoint.address().to_string() + ":" +
                                     std::to_string(endpoint.port()) + target;

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
            co_return Outcome{400, 0, false, false};
    }
    if (chunked) {
        const auto read = co_await read_whole_body(client, settings);
        if (read.status == IoStatus::TimedOut) co_return Outcome{408, 0, false, false};
        if (client.parser.error()) co_return co_await answer(client, error_page(400, false), request);
        if (!read.ok()) co_return Outcome{499, 0, false, false};  // nginx's code for "the client went away"
        if (client.body_piece.size() > limit) co_return co_await answer(client, error_page(413, false), request);
        body_length = client.body_piece.size();
    }

    // Connect, and send the head and the body.
    net::Socket upstream(co_await asio::this_coro::executor);
    const auto connected = co_await connect_for(upstream, endpoint, settings.proxy_connect_timeout);
    if (!connected.ok()) {
        const bool timed_out = connected.status == IoStatus::TimedOut;
        log_upstream_error((timed_out ? std::string("upstream timed out (110: Connection timed out)")
                                      : "connect() failed " + describe(connected)) +
                               " while connecting to upstream",
                           context, upstream_url);
        co_return co_await answer(client, error_page(timed_out ? 504 : 502, true), request);
    }
    std::string head = upstream_request_head(request, target, location, context, body_length);
    auto sent = co_await write_all_for(upstream, head, settings.proxy_send_timeout);
    bool client_failed = false;
    if (sent.ok()) sent = co_await stream_body(client, upstream, settings, client_failed);
    if (client_failed) {
        // The client stopped sending its body: 408 when it went quiet, 400
        // when the body was malformed, 499 (nginx's) when it hung up.
        if (sent.status == IoStatus::TimedOut) co_return Outcome{408, 0, false, false};
        if (client.parser.error()) co_return co_await answer(client, error_page(400, false), request);
        co_return Outcome{499, 0, false, false};
    }
    if (!sent.ok()) {
        log_upstream_error(describe(sent) + " while sending request to upstream", context, upstream_url);
        co_return co_await answer(client, error_page(sent.status == IoStatus::TimedOut ? 504 : 502, true), request);
    }

    // The response head. 1xx interim responses (100 Continue) are dropped:
    // we answered the client's Expect ourselves.
    http::ResponseParser response_parser({.max_request_line = 8190, .max_header_count = 1000,
                                          .max_header_field_size = 64 * 1024,
                                          .max_body_size = std::numeric_limits<std::size_t>::max()});
    response_parser.expect_response_to(request.method);
    std::string response_piece, from_upstream;
    response_parser.stream_body_to([&response_piece](std::string_view piece) { response_piece.append(piece); });
    while (true) {
        const auto read = co_await read_some_for(upstream, from_upstream, settings.proxy_read_timeout);
        if (read.status == IoStatus::Closed) response_parser.finish();
        else if (!read.ok()) {
            log_upstream_error(describe(read) + " while reading response header from upstream", context, upstream_url);
            co_return co_await answer(client, error_page(read.status == IoStatus::TimedOut ? 504 : 502, true), request);
        }
        while (!from_upstream.empty()) {
            const auto used = response_parser.feed(from_upstream);
            from_upstream.erase(0, used);
            const bool interim = response_parser.message_complete() && response_parser.current().status / 100 == 1;
            if (!interim) break;
            response_parser.take_response();
        }
        if (response_parser.error() || (read.status == IoStatus::Closed && !response_parser.headers_complete())) {
            const std::string what = response_parser.headers_complete() || !response_parser.error()
                                         ? "upstream prematurely closed connection"
                                         : "upstream sent invalid header (" + response_parser.error()->reason + ")";
            log_upstream_error(what + " while reading response header from upstream", context, upstream_url);
            co_return co_await answer(client, error_page(502, true), request);
        }
        if (response_parser.headers_complete()) break;
    }

    // The head for the client, framed for the client.
    const auto upstream_response = response_parser.current();
    http::Response response;
    response.status = upstream_response.status;
    response.reason = upstream_response.reason;
    response.headers = headers_for_client(upstream_response.headers, location, context);
    const bool body_expected = request.method != "HEAD" && http::status_has_body(response.status);
    const auto length = upstream_response.headers.get("Content-Length");
    response.keep_alive = request.keep_alive && settings.keepalive_timeout.count() > 0;
    bool chunked_to_client = false;
    if (length) response.headers.add("Content-Length", std::string(*length));
    else if (body_expected && request.version == http::Version{1, 1}) {
        response.headers.add("Transfer-Encoding", "chunked");
        chunked_to_client = true;
    } else if (body_expected) response.keep_alive = false;  // HTTP/1.0: the end of the body is the close
    if (response.keep_alive) response.headers.add("Connection", "keep-alive");
    std::string out = http::serialize_response_head(response, {.server = server_header});

    // The body, as it comes.
    Outcome outcome{response.status, 0, response.keep_alive, true};
    while (true) {
        if (!response_piece.empty()) {
            outcome.body_bytes += response_piece.size();
            out += framed(response_piece, chunked_to_client);
            response_piece.clear();
        }
        if (response_parser.message_complete() && chunked_to_client) out += http::serialize_last_chunk();
        if (!out.empty() && !(co_await write_all_for(client.socket, out, send_timeout)).ok()) {
            outcome.keep_alive = false;  // the client went away: nothing more to do
            co_return outcome;
        }
        out.clear();
        if (response_parser.message_complete()) co_return outcome;
        if (from_upstream.empty()) {
            const auto read = co_await read_some_for(upstream, from_upstream, settings.proxy_read_timeout);
            if (read.status == IoStatus::Closed) response_parser.finish();
            else if (!read.ok()) {
                log_upstream_error(describe(read) + " while reading upstream", context, upstream_url);
                outcome.keep_alive = false;  // the client sees a cut body: the honest signal
                co_return outcome;
            }
        }
        from_upstream.erase(0, response_parser.feed(from_upstream));
        if (response_parser.error()) {
            log_upstream_error("upstream prematurely closed connection while reading upstream", context, upstream_url);
            outcome.keep_alive = false;
            co_return outcome;
        }
    }
}

}  // namespace webstack::stage4
