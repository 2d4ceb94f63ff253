// error_page (config.hpp's ErrorPage), served for one connection: the page
// is a redirect, a named location, or a URI routed like a new request
// (GET, unless HEAD), as nginx's ngx_http_send_error_page does. answer()
// (client_side.cpp) and the proxy's proxy_intercept_errors call serve().
#pragma once

#include "proxy/client_connection.hpp"
#include "proxy/client_side.hpp"
#include "proxy/content_handler.hpp"
#include "proxy/routing.hpp"

namespace webstack::stage4 {

class ConnectionErrorPages final : public ErrorPages {
public:
    ConnectionErrorPages(ClientSide client, const ListenGroup& group, RequestContext& context, Upstreams& upstreams,
                         const ContentHandler* content)
        : client_(client), group_(group), context_(context), upstreams_(upstreams), content_(content) {}

    boost::asio::awaitable<Outcome> serve(const ErrorPage& page, int status) override;

private:
    ClientSide client_;
    const ListenGroup& group_;
    RequestContext& context_;
    Upstreams& upstreams_;
    const ContentHandler* content_;
    http::Request internal_;  // the request the page is fetched with
};

}  // namespace webstack::stage4
