// The response half of an exchange: read the upstream's answer and pass
// it to the client, either streamed (proxy_buffering off: the upstream
// waits for the client) or buffered (on, nginx's default: the upstream is
// read as fast as it sends, and released, however slow the client is).
#pragma once

#include "proxy/exchange.hpp"
#include "proxy/upstream_reply.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>

namespace webstack::stage4 {

// The upstream's side of a try: its connection, its answer, its address.
struct UpstreamSide {
    net::Socket& socket;
    UpstreamReply& reply;
    const UpstreamAddress& address;
};

// Called as soon as the whole answer has been read from the upstream
// (maybe long before the client has it all), with whether the connection
// ended cleanly and may be kept for another request.
using ReleaseUpstream = std::function<void(bool reusable)>;

// Passes the answer on: the head rewritten for the client, then the body,
// framed again for the client. Calls `release_upstream` as soon as the
// upstream has sent everything.
boost::asio::awaitable<Outcome> relay_response(const Proxying& proxying, UpstreamSide upstream,
                                               const ReleaseUpstream& release_upstream);

}  // namespace webstack::stage4
