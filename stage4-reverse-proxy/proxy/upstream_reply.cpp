#include "proxy/upstream_reply.hpp"

#include "http/message_rules.hpp"
#include "log/log.hpp"

#include <limits>

namespace webstack::stage4 {

namespace {

http::ParserLimits upstream_limits(const Settings& settings) {
    return {.max_request_line = settings.proxy_buffer_size, .max_header_count = 1000,
            .max_header_field_size = settings.proxy_buffer_size,
            .max_body_size = std::numeric_limits<std::size_t>::max(),
            .line_ends = http::LineEnds::CrlfOrLf};  // nginx reads a bare LF from an upstream too
}
}  // namespace

UpstreamReply::UpstreamReply(const std::string& method, const Settings& settings) : parser(upstream_limits(settings)) {
    parser.expect_response_to(method);
    parser.stream_body_to([this](std::string_view piece) {
        body_piece.append(piece);
        body_length += piece.size();
    });
}

std::string UpstreamAddress::url() const {
    return "http://" + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + target;
}

void log_upstream_error(const std::string& what, const RequestContext& context, const UpstreamAddress& upstream_url,
                        log::Level level) {
    const auto& request = *context.request;
    log::write(level, fmt::format("{}, client: {}, server: {}, request: \"{}\", upstream: \"{}\", host: \"{}\"", what,
                                  context.connection.remote_host, context.server_name, http::request_line(request),
                                  upstream_url.url(), std::string(request.headers.get("Host").value_or(""))));
}

std::string describe(const IoResult& result) {
    if (result.status == IoStatus::TimedOut) return "upstream timed out (110: Connection timed out)";
    if (result.status == IoStatus::Closed) return "upstream prematurely closed connection";
    return "(" + std::to_string(result.error.value()) + ": " + result.error.message() + ")";
}

asio::awaitable<HeadResult> read_response_head(net::Socket& upstream, UpstreamReply& reply, const Settings& settings) {
    while (true) {
        // As nginx, the head is read in pieces of proxy_buffer_size (4k).
        const auto before = reply.unparsed.size();
        const auto read = co_await read_some_for(upstream, reply.unparsed, settings.proxy_read_timeout,
                                                 settings.proxy_buffer_size);
        reply.bytes_received += reply.unparsed.size() - before;
        if (!reply.unparsed.empty()) reply.any_byte = true;
        if (read.status == IoStatus::Closed) reply.parser.finish();
        else if (!read.ok()) co_return HeadResult{read, describe(read)};
        while (!reply.unparsed.empty()) {
            reply.unparsed.erase(0, reply.parser.feed(reply.unparsed));
            const bool interim = reply.parser.message_complete() && reply.parser.status() / 100 == 1;
            if (!interim) break;
            reply.parser.take_response();  // a 100 Continue: we answered the client's Expect ourselves
        }
        if (reply.parser.error() && !reply.parser.headers_complete())
            co_return HeadResult{read, "upstream sent invalid header (" + reply.parser.error()->reason + ")"};
        if (read.status == IoStatus::Closed && !reply.parser.headers_complete())
            co_return HeadResult{read, "upstream prematurely closed connection"};
        if (reply.parser.headers_complete()) co_return HeadResult{read, ""};
    }
}

}  // namespace webstack::stage4
