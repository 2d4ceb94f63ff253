#include "proxy/client_side.hpp"

#include "http/serializer.hpp"
#include "proxy/responses.hpp"

namespace webstack::stage4 {

asio::awaitable<Outcome> answer(ClientSide client, http::Response response, const http::Request& request) {
    // A body the client is still sending would be mistaken for the next
    // request: close after answering unless it has all arrived.
    response.keep_alive = response.keep_alive && client.parser.message_complete() && request.keep_alive;
    add_added_headers(response.headers, response.status, client.context);
    if (!response.keep_alive) response.headers.set("Connection", "close");
    else response.headers.set("Connection", "keep-alive");
    const std::size_t body_bytes = request.method == "HEAD" ? 0 : response.body.size();
    std::string bytes = request.method == "HEAD" ? http::serialize_response_head(response, {.server = server_header})
                                                 : http::serialize_response(response, {.server = server_header});
    const auto written = co_await write_all_for(client.socket, bytes, client.send_timeout);
    co_return Outcome{response.status, body_bytes, response.keep_alive && written.ok()};
}

}  // namespace webstack::stage4
