// The place a later stage plugs in: what answers a request whose location
// neither proxies (`proxy_pass`) nor returns (`return`). Stage 4 has
// nothing there and answers 404 (real nginx would look for a file under its
// html folder); stage 5 puts its static-file handler here.
#pragma once

#include "config/config.hpp"
#include "http/target.hpp"
#include "proxy/exchange.hpp"
#include "proxy/upstreams.hpp"
#include "proxy/variables.hpp"

#include <boost/asio/awaitable.hpp>

namespace webstack::stage4 {

// One request, as a content handler gets it.
struct ContentRequest {
    ClientSide client;
    const http::Request& request;
    const Server& server;
    const Location* location;    // nullptr when no location matched (the server's own settings apply)
    const http::Target& target;  // the request target, decoded and normalised
    RequestContext& context;
    Upstreams& upstreams;        // to pass a request on to a location that proxies (try_files ... @app)
};

class ContentHandler {
public:
    virtual ~ContentHandler() = default;
    virtual boost::asio::awaitable<Outcome> handle(const ContentRequest& asked) const = 0;
};

}  // namespace webstack::stage4
