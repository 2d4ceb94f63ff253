#include "proxy/client_side.hpp"

#include "http/serializer.hpp"
#include "proxy/gzip.hpp"
#include "proxy/responses.hpp"

namespace webstack::stage4 {

const ErrorPage* error_page_for(const RequestContext& context, int status) {
    if (!context.error_pages || context.error_page_served || !context.settings) return nullptr;
    for (const auto& page : context.settings->error_page)
        for (const int code : page.codes)
            if (code == status) return &page;
    return nullptr;
}

asio::awaitable<Outcome> answer(ClientSide client, http::Response response, const http::Request& request) {
    if (const auto* page = error_page_for(client.context, response.status))
        co_return co_await client.context.error_pages->serve(*page, response.status);
    if (const auto location = response.headers.get("Location"); location && location->starts_with('/'))
        response.headers.set("Location", absolute_location(std::string(*location), client.context));
    if (const auto type = response.headers.get("Content-Type"))
        response.headers.set("Content-Type", with_charset(*type, client.context.settings));
    if (client.context.settings && client.context.settings->gzip && !response.body.empty()) {
        // The gzip filter, on our own pages too; the whole body at once (it is in memory).
        const auto gzip = decide_gzip(*client.context.settings, request, response.status,
                                      response.headers.get("Content-Type").value_or(""), response.body.size(),
                                      &response.headers);
        if (gzip.vary) response.headers.add("Vary", "Accept-Encoding");
        if (gzip.compress) {
            response.body = gzip_compress(response.body, client.context.settings->gzip_comp_level);
            response.headers.add("Content-Encoding", "gzip");
        }
    }
    // error_page's status, over a page that answered normally: a redirect or
    // an error of the page's own (a 301 to add a folder's "/") keeps its status.
    if (client.context.status_override && response.status < 300) {
        response.status = *client.context.status_override;
        response.reason.clear();
    }
    // A body the client is still sending is discarded after the answer
    // (client_connection.cpp), so the connection may stay open.
    response.keep_alive = response.keep_alive && request.keep_alive;
    add_added_headers(response.headers, response.status, client.context);
    if (!response.keep_alive) response.headers.set("Connection", "close");
    else {
        response.headers.set("Connection", "keep-alive");
        if (client.context.settings && client.context.settings->keepalive_header)
            response.headers.set("Keep-Alive", "timeout=" + std::to_string(*client.context.settings->keepalive_header));
    }
    const std::size_t body_bytes = request.method == "HEAD" ? 0 : response.body.size();
    std::string bytes = request.method == "HEAD" ? http::serialize_response_head(response, {.server = server_header})
                                                 : http::serialize_response(response, {.server = server_header});
    remember_sent_head(client.context, bytes);
    const auto written = co_await write_all_for(client.socket, bytes, client.send_timeout);
    co_return Outcome{response.status, body_bytes, response.keep_alive && written.ok()};
}

}  // namespace webstack::stage4
