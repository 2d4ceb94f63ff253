// A fake application server for the proxy tests: it listens on a free port
// of 127.0.0.1, records every request it receives (raw bytes), and answers
// as the test scripts it: a canned response, silence, a slam of the door,
// or garbage. So a test can check what the proxy sent, and how it copes
// with an upstream that misbehaves on purpose.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace webstack::testing {

class ScriptedUpstream {
public:
    enum class Behaviour {
        Respond,        // read the request, send `response`, close
        CloseAtOnce,    // read the request, close without a word
        Hang,           // read the request, answer nothing for `delay`, then close
        RespondSlowly,  // read the request, wait `delay`, send `response`, close
        KeepAlive,      // answer every request on a connection with `response`, until the peer closes
    };

    explicit ScriptedUpstream(std::string response, Behaviour behaviour = Behaviour::Respond,
                              std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    ~ScriptedUpstream();
    ScriptedUpstream(const ScriptedUpstream&) = delete;
    ScriptedUpstream& operator=(const ScriptedUpstream&) = delete;

    int port() const { return port_; }
    // Changes the canned response (one that names the upstream's own port, say).
    void set_response(std::string response);
    // Every request received so far, raw (head and body).
    std::vector<std::string> requests() const;
    // Connections accepted so far.
    int connections() const { return connections_; }
    // Responses sent completely so far (the kernel took the last byte).
    int responses_sent() const { return responses_sent_; }
    // Waits until `count` requests arrived; false after `timeout`.
    bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

    // "HTTP/1.1 200 OK" with a Content-Length body.
    static std::string ok(const std::string& body, const std::string& extra_headers = "");

private:
    void serve();
    void serve_one(int client);
    // Reads one request; false when the peer closed first.
    bool read_request(int client, std::string& leftover);
    void send_response(int client);

    std::string response_;
    Behaviour behaviour_;
    std::chrono::milliseconds delay_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_ = false;
    std::atomic<int> connections_ = 0;
    std::atomic<int> responses_sent_ = 0;
    mutable std::mutex mutex_;
    std::vector<std::string> requests_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

}  // namespace webstack::testing
