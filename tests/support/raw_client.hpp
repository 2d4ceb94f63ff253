// A test client that sends raw bytes, so a malformed request is as easy to
// send as a good one, and reads responses with our own ResponseParser.
//
// It remembers everything: transcript() gives the request as a command you
// can paste (curl for a valid request, printf | nc for a malformed one) and
// the raw bytes sent and received. Tests put it in INFO(), so a failing
// check prints the whole conversation.
#pragma once

#include "http/message.hpp"
#include "http/parser.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace webstack::testing {

using namespace std::chrono_literals;

class RawClient {
public:
    // Connects to 127.0.0.1:port (or to a Unix socket path); fails the test
    // when it cannot.
    explicit RawClient(int port, std::string host = "127.0.0.1");
    static RawClient unix_socket(const std::string& path);
    // Connects to 127.0.0.1:port from another loopback address (127.0.0.2):
    // a client whose address differs from the proxy's.
    static RawClient from_address(const std::string& source, int port);
    // Connects without any Catch2 assertion (those are not thread-safe):
    // for clients running on a background thread. Nothing if it failed.
    static std::optional<RawClient> try_connect(int port);
    ~RawClient();
    RawClient(RawClient&& other) noexcept;
    RawClient(const RawClient&) = delete;

    // Sends bytes as they are; false if the connection was already closed.
    bool send(std::string_view bytes);
    // Reads the next response (a 100 Continue counts as one) to a request
    // with `method`; nothing if the connection closed or time ran out first.
    std::optional<http::Response> read_response(std::string_view method = "GET",
                                                std::chrono::milliseconds timeout = 5s);
    // Sends and reads one response.
    std::optional<http::Response> exchange(std::string_view bytes, std::chrono::milliseconds timeout = 5s);
    // exchange(), for a test that cannot go on without the answer: when
    // none comes, the test fails with the whole conversation printed.
    http::Response answer(std::string_view bytes, std::chrono::milliseconds timeout = 5s);
    // True when the server closes the connection within `timeout` (after
    // any bytes still on the way).
    bool wait_for_close(std::chrono::milliseconds timeout = 5s);
    // Half-closes: we send no more, as `nc -q` does after its input ends.
    void shutdown_send();

    std::string transcript() const;

private:
    RawClient(int fd, std::string where, int port);
    void require_connected() const;
    // Reads more bytes into received_; false on EOF, error or timeout.
    bool receive_more(std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    std::string where_;   // "127.0.0.1" or "unix:/path"
    int port_ = 0;
    std::string sent_, received_;
    std::size_t parsed_ = 0;   // how much of received_ the parser consumed
    bool peer_closed_ = false;
};

// Sends `request` 200 times on one new kept-alive connection to `port`,
// each time only after the whole previous response has arrived (no
// pipelining, as a browser does), and checks that every answer has
// `expected_status` and that all of them took well under a second. A
// server whose response leaves as two small writes makes Nagle's algorithm
// wait for the client's delayed ACK: 40 ms a request, 8 s in all.
void check_one_after_another(int port, const std::string& request, const std::string& method = "GET",
                             int expected_status = 200);

// Waits until something accepts connections on 127.0.0.1:port (a real
// nginx or gunicorn, which do not print the port they got).
bool wait_for_port(int port, std::chrono::milliseconds timeout);

// A GET the way a browser would send it.
inline std::string get(const std::string& target, const std::string& extra_headers = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

// "GET / HTTP/1.1\r\n" shown as "GET / HTTP/1.1\r\n" (escapes visible).
std::string escape_bytes(std::string_view bytes, std::size_t limit = 4000);

}  // namespace webstack::testing
