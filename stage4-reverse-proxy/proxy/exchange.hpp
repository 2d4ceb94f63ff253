// Passing one request to the upstream and its response back: the heart of
// a reverse proxy, as one straight line. proxy_request() reads the body
// (request_body.hpp), builds the request for the upstream (responses.hpp),
// then tries: pick a server (balancer.hpp), connect or reuse a kept
// connection, send, read the answer's head (upstream_reply.hpp); after a
// failure ask after_failure() (retry.hpp) what next; after success pass
// the answer on (relay.hpp). By default (nginx's proxy_request_buffering
// and proxy_buffering on) the body is read whole before the upstream is
// contacted, and the answer is read as fast as the upstream sends it while
// the client drains it at its own pace.
#pragma once

#include "config/config.hpp"
#include "proxy/client_side.hpp"
#include "proxy/upstreams.hpp"
#include "proxy/variables.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace webstack::stage4 {

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

// Passes the request to the location's proxy_pass and its answer back.
boost::asio::awaitable<Outcome> proxy_request(const Proxying& proxying);

}  // namespace webstack::stage4
