// Passing one request to the upstream and its response back: the heart of
// a reverse proxy. By default (nginx's proxy_request_buffering and
// proxy_buffering on) the request body is read whole before the upstream is
// contacted, and the response is read from the upstream as fast as it
// comes while the client drains it at its own pace; with them off, bodies
// stream. The framing is redone for each side (the client may get chunked
// what the upstream sent close-delimited).
#pragma once

#include "config/config.hpp"
#include "http/parser.hpp"
#include "net/listener.hpp"
#include "net/timed_io.hpp"
#include "proxy/upstreams.hpp"
#include "proxy/variables.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace webstack::stage4 {

namespace asio = boost::asio;

// Every wait of the proxy is bounded: the timed socket operations of common/net.
using net::connect_for;
using net::IoResult;
using net::IoStatus;
using net::read_some_for;
using net::write_all_for;

inline constexpr Duration send_timeout{60'000};      // nginx's send_timeout default, for writes to the client
inline constexpr std::size_t write_piece = 64 * 1024;  // the most we hand to one write

// The client's connection as the exchange uses it.
struct ClientSide {
    net::Socket& socket;
    http::RequestParser& parser;  // its head is complete; the body may still be coming
    std::string& pending;         // bytes read from the client, not parsed yet
    std::string& body_piece;      // body bytes the parser decoded, not passed on yet
};

// What happened, for the access log and the connection's future.
struct Outcome {
    int status = 0;
    std::size_t body_bytes = 0;  // nginx's $body_bytes_sent
    bool keep_alive = false;     // may the client connection carry another request?

    // The connection ends with no answer: the client went away (nginx logs
    // 499), was too slow (408), or broke its body (400). Only logged.
    static Outcome without_answer(int status) { return {status, 0, false}; }
};

// One request on its way to an upstream, as every part of the exchange
// sees it: the client, the request, the location that proxies it, and
// this worker's upstream state.
struct Proxying {
    ClientSide client;
    const http::Request& request;  // as it goes upstream (try_files may have changed its target)
    RequestContext& context;       // context.request: as the client sent it, for the logs
    const Location& location;
    Upstreams& upstreams;
    const Settings& settings() const { return location.settings; }
};

// Sends `response` (our own answer: an error page, a redirect) to the client.
boost::asio::awaitable<Outcome> answer(ClientSide client, http::Response response, const http::Request& request);

// Passes the request to the location's proxy_pass and its answer back.
boost::asio::awaitable<Outcome> proxy_request(const Proxying& proxying);

}  // namespace webstack::stage4
