// The upstream's answer while it is read: its parser and its bytes, the
// head read (1xx answers dropped), and nginx's error log words when
// something goes wrong with an upstream.
#pragma once

#include "config/config.hpp"
#include "http/parser.hpp"
#include "log/log.hpp"
#include "proxy/client_side.hpp"
#include "proxy/variables.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace webstack::stage4 {

// Where a request goes, for the error log: "http://127.0.0.1:8000/path".
// Formatted only when a line is written (formatting an address costs more
// than proxying a small request).
struct UpstreamAddress {
    boost::asio::ip::tcp::endpoint endpoint;
    const std::string& target;
    std::string url() const;
};

// The upstream's answer while it is being read.
struct UpstreamReply {
    // The head must fit proxy_buffer_size, as in nginx ("upstream sent too big header").
    UpstreamReply(const std::string& method, const Settings& settings);
    UpstreamReply(const UpstreamReply&) = delete;  // the parser's callback points at this object
    UpstreamReply& operator=(const UpstreamReply&) = delete;
    http::ResponseParser parser;
    std::string unparsed;     // bytes read from the upstream, not fed to the parser yet
    std::string body_piece;   // body bytes the parser decoded, not passed on yet
    bool any_byte = false;    // has the upstream sent anything at all?
    std::uint64_t bytes_received = 0;  // $upstream_bytes_received: head and body as they came
    std::uint64_t body_length = 0;     // $upstream_response_length: the body, decoded
};

// How reading the head went: Ok, or what failed (for the 502/504 choice
// and the error log).
struct HeadResult {
    IoResult io;
    std::string problem;      // "upstream sent invalid header (...)", ...; empty when fine
    bool ok() const { return problem.empty(); }
};

// Reads until the response head is complete, dropping 1xx interim answers.
boost::asio::awaitable<HeadResult> read_response_head(net::Socket& upstream, UpstreamReply& reply,
                                                      const Settings& settings);

// nginx's error log line for a failed exchange.
void log_upstream_error(const std::string& what, const RequestContext& context, const UpstreamAddress& upstream_url,
                        log::Level level = log::Level::Error);

// "upstream timed out (110: Connection timed out)", "(111: Connection refused)", ...
std::string describe(const IoResult& result);

}  // namespace webstack::stage4
