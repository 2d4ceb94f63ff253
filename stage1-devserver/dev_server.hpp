// The dev server's loop: accept a connection, serve every request on it
// until it closes, then accept the next. One process, blocking calls: the
// simplest correct HTTP/1.1 server. With `threading` (runserver's default)
// each connection gets a thread of its own; without it (runserver
// --nothreading, stage 2, Gunicorn's sync worker) one slow client makes
// everyone else wait.
#pragma once

#include "http/message.hpp"
#include "http/parser.hpp"
#include "net/listener.hpp"
#include "response_writer.hpp"

#include <chrono>
#include <functional>
#include <optional>

namespace webstack::stage1 {

// Answers one request through the writer; never touches the socket.
// `connection` says who is talking to whom (stage 2 passes it to apps).
using Handler = std::function<void(const http::Request&, const net::Endpoints& connection, ResponseWriter&)>;

// A Handler from a function that builds the whole response at once, as
// stage 1's routes do.
Handler whole_responses(std::function<http::Response(const http::Request&)> build);

struct DevServerOptions {
    http::ParserLimits limits;
    // true: a thread per connection (runserver); false: one connection at
    // a time, served by the thread that accepted it.
    bool threading = false;
    // A connection that sends nothing for this long is closed, so that the
    // next client in the accept queue gets its turn. Nothing: wait as long
    // as the client likes (runserver, whose threads wait for ever).
    std::optional<std::chrono::milliseconds> idle_timeout = std::chrono::milliseconds(5000);
    // The longest we wait for a client to take our response.
    std::chrono::milliseconds write_timeout{10000};
    // Maps a kind of bad request to the status this server answers.
    std::function<int(http::ParseErrorKind)> status_for_error = http::default_status;
    // The Server header.
    std::string server_name = "webstack-stage1";
    // false: every response says "Connection: close" (Gunicorn's sync worker).
    bool keep_alive = true;
    // Logs one answered request; the default is runserver's line.
    std::function<void(const http::Request&, const net::Endpoints&, const ResponseWriter&,
                       std::chrono::steady_clock::duration)>
        log_request;
    // Called about once a second while no client is connected; returning
    // true ends run() (stage 2's --reload uses it to restart).
    std::function<bool()> between_connections;
};

class DevServer {
public:
    DevServer(net::Listener& listener, Handler handler, DevServerOptions options);

    // Serves connections until SIGINT or SIGTERM (or until
    // between_connections says so), then waits for the connections' threads.
    void run();

    // Serves every request of one connection, then closes it.
    void serve_connection(net::Socket& socket);

private:
    // What reading the next request gave: a request, an error, or nothing.
    enum class ReadOutcome { Request, BadRequest, Closed };
    ReadOutcome read_request(net::Socket& socket, http::RequestParser& parser, std::string& pending);
    void answer_continue_if_expected(net::Socket& socket, const http::RequestParser& parser, bool& answered);
    bool answer(net::Socket& socket, const net::Endpoints& connection, const http::Request& request);
    void send_error(net::Socket& socket, const http::RequestParser& parser);

    net::Listener& listener_;
    Handler handler_;
    DevServerOptions options_;
};

}  // namespace webstack::stage1
