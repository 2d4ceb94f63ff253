// The dev server's loop: accept a connection, serve every request on it
// until it closes, then accept the next. One process, one thread, blocking
// calls: the simplest correct HTTP/1.1 server, and the reason one slow
// client makes everyone else wait.
#pragma once

#include "http/message.hpp"
#include "http/parser.hpp"
#include "net/listener.hpp"

#include <chrono>
#include <functional>

namespace webstack::stage1 {

// Turns a request into a response; never touches the socket.
using Handler = std::function<http::Response(const http::Request&)>;

struct DevServerOptions {
    http::ParserLimits limits;
    // A keep-alive connection that sends nothing for this long is closed,
    // so that the next client in the accept queue gets its turn.
    std::chrono::milliseconds idle_timeout{5000};
    // The longest we wait for a client to take our response.
    std::chrono::milliseconds write_timeout{10000};
    // Maps a kind of bad request to the status this server answers.
    std::function<int(http::ParseErrorKind)> status_for_error = http::default_status;
};

class DevServer {
public:
    DevServer(net::Listener& listener, Handler handler, DevServerOptions options);

    // Serves connections one at a time until SIGINT or SIGTERM.
    void run();

    // Serves every request of one connection, then closes it.
    void serve_connection(net::Socket& socket);

private:
    // What reading the next request gave: a request, an error, or nothing.
    enum class ReadOutcome { Request, BadRequest, Closed };
    ReadOutcome read_request(net::Socket& socket, http::RequestParser& parser, std::string& pending);
    void answer_continue_if_expected(net::Socket& socket, const http::RequestParser& parser, bool& answered);
    bool send_response(net::Socket& socket, const http::Request& request, http::Response response);
    void send_error(net::Socket& socket, const http::RequestParser& parser);

    net::Listener& listener_;
    Handler handler_;
    DevServerOptions options_;
};

}  // namespace webstack::stage1
