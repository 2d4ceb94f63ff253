// The client's side of a request, as every part of the proxy sees it: its
// connection, what became of the request (Outcome, for the access log and
// the connection's future), and the answers the proxy makes itself (an
// error page, a redirect, `return`).
#pragma once

#include "config/config.hpp"
#include "http/parser.hpp"
#include "proxy/variables.hpp"
#include "net/listener.hpp"
#include "net/timed_io.hpp"

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

inline constexpr std::size_t write_piece = 64 * 1024;  // the most we hand to one write

// The client's connection as the exchange uses it. It holds references:
// a `const ClientSide&` still reads and writes the connection's buffers.
// Bytes arrive in `pending`; feeding them to the parser puts the decoded
// body into `body_piece` (serve_client wires the two together).
struct ClientSide {
    net::Socket& socket;
    http::RequestParser& parser;  // its head is complete; the body may still be coming
    std::string& pending;         // bytes read from the client, not parsed yet
    std::string& body_piece;      // body bytes the parser decoded, not passed on yet
    const Duration& send_timeout; // how long one write to the client may wait: the
                                  // send_timeout of the block that answers (nginx: 60s)
    const RequestContext& context;  // the request's: which block answers (its add_header)
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

// error_page: serves the page a block names for an error, in place of the
// error. client_connection.cpp implements it (it can route a new URI).
class ErrorPages {
public:
    virtual ~ErrorPages() = default;
    virtual boost::asio::awaitable<Outcome> serve(const ErrorPage& page, int status) = 0;
};

// The error page the answering block names for `status`; nullptr when it
// names none, or this request was sent to one already.
const ErrorPage* error_page_for(const RequestContext& context, int status);

// Sends `response` (our own answer: an error page, a redirect) to the
// client; or, when the block has an error_page for its status, that page.
boost::asio::awaitable<Outcome> answer(ClientSide client, http::Response response, const http::Request& request);

}  // namespace webstack::stage4
