#include "scripted_upstream.hpp"

#include "http/parser.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace webstack::testing {

ScriptedUpstream::ScriptedUpstream(std::string response, Behaviour behaviour, std::chrono::milliseconds delay)
    : response_(std::move(response)), behaviour_(behaviour), delay_(delay) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw std::runtime_error("ScriptedUpstream: cannot listen");
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { serve(); });
}

ScriptedUpstream::~ScriptedUpstream() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    for (auto& thread : threads_) thread.join();
    ::close(listen_fd_);
}

std::string ScriptedUpstream::ok(const std::string& body, const std::string& extra_headers) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           extra_headers + "\r\n" + body;
}

void ScriptedUpstream::set_response(std::string response) {
    std::lock_guard lock(mutex_);
    response_ = std::move(response);
}

std::vector<std::string> ScriptedUpstream::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

bool ScriptedUpstream::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (requests().size() >= count) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return requests().size() >= count;
}

void ScriptedUpstream::serve() {
    while (!stopping_) {
        pollfd waiting{listen_fd_, POLLIN, 0};
        if (::poll(&waiting, 1, 100) <= 0) continue;
        const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        threads_.emplace_back([this, client] { serve_one(client); });
    }
}

bool ScriptedUpstream::read_request(int client, std::string& leftover) {
    // One whole request (the proxy's framing decides where it ends).
    http::RequestParser parser({.max_request_line = 1 << 20, .max_header_count = 1000,
                                .max_header_field_size = 1 << 20, .max_body_size = 1 << 30});
    std::string raw;
    const auto feed = [&](std::string_view bytes) {
        while (!bytes.empty() && !parser.message_complete() && !parser.error()) {
            const auto used = parser.feed(bytes);
            raw.append(bytes.substr(0, used));
            bytes.remove_prefix(used);
            if (used == 0) break;
        }
        return std::string(bytes);  // what belongs to the next request
    };
    leftover = feed(leftover);
    char chunk[16 * 1024];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!parser.message_complete() && !parser.error() && std::chrono::steady_clock::now() < deadline && !stopping_) {
        pollfd waiting{client, POLLIN, 0};
        if (::poll(&waiting, 1, 100) <= 0) continue;
        const auto count = ::recv(client, chunk, sizeof chunk, 0);
        if (count <= 0) break;
        leftover = feed(std::string_view(chunk, static_cast<std::size_t>(count)));
    }
    if (raw.empty()) return false;
    std::lock_guard lock(mutex_);
    requests_.push_back(raw);
    return true;
}

void ScriptedUpstream::send_response(int client) {
    std::string response;
    {
        std::lock_guard lock(mutex_);
        response = response_;
    }
    std::string_view out = response;
    while (!out.empty()) {
        const auto count = ::send(client, out.data(), out.size(), MSG_NOSIGNAL);
        if (count <= 0) return;
        out.remove_prefix(static_cast<std::size_t>(count));
    }
    ++responses_sent_;
}

void ScriptedUpstream::serve_one(int client) {
    ++connections_;
    std::string leftover;
    if (behaviour_ == Behaviour::KeepAlive) {
        while (!stopping_ && read_request(client, leftover)) send_response(client);
    } else if (read_request(client, leftover)) {
        if (behaviour_ == Behaviour::Hang || behaviour_ == Behaviour::RespondSlowly) {
            for (auto waited = std::chrono::milliseconds(0); waited < delay_ && !stopping_;
                 waited += std::chrono::milliseconds(10))
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (behaviour_ == Behaviour::Respond || behaviour_ == Behaviour::RespondSlowly) send_response(client);
    }
    ::shutdown(client, SHUT_WR);
    ::close(client);
}

}  // namespace webstack::testing
