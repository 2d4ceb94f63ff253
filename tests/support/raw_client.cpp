#include "raw_client.hpp"

#include <thread>

#include "catch.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace webstack::testing {

namespace {
int connect_tcp(const std::string& host, int port, const std::string& from = "") {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (!from.empty()) {  // a source address of our own, as curl --interface 127.0.0.2
        sockaddr_in source{};
        source.sin_family = AF_INET;
        ::inet_pton(AF_INET, from.c_str(), &source.sin_addr);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
            ::close(fd);
            return -1;
        }
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

int connect_unix(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof address.sun_path - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string shell_quote(std::string_view text) {
    std::string quoted = "'";
    for (char c : text) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// The request as a curl command, when the bytes are one valid request.
std::optional<std::string> as_curl(std::string_view sent, const std::string& where, int port) {
    http::RequestParser parser;
    const auto used = parser.feed(sent);
    if (!parser.message_complete() || used != sent.size()) return std::nullopt;
    const auto request = parser.take_request();
    std::string command = "curl -i";
    if (request.method != "GET") command += " -X " + request.method;
    if (request.version == http::Version{1, 0}) command += " --http1.0";
    for (const auto& field : request.headers) {
        if (http::equals_ignoring_case(field.name, "Content-Length")) continue;
        command += " -H " + shell_quote(field.name + ": " + field.value);
    }
    if (!request.body.empty()) command += " --data-binary " + shell_quote(request.body);
    if (where.starts_with("unix:")) command += " --unix-socket " + where.substr(5) + " http://localhost" + request.target;
    else command += fmt::format(" 'http://{}:{}{}'", where, port, request.target);
    return command;
}
}  // namespace

std::string escape_bytes(std::string_view bytes, std::size_t limit) {
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\r') out += "\\r";
        else if (c == '\n') out += "\\n\n";
        else if (c == '\\') out += "\\\\";
        else if (c < 0x20 || c >= 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
    if (bytes.size() > limit) out += fmt::format("... ({} bytes in all)", bytes.size());
    return out;
}

RawClient::RawClient(int port, std::string host) : RawClient(connect_tcp(host, port), host, port) {
    require_connected();
}

RawClient RawClient::from_address(const std::string& source, int port) {
    RawClient client(connect_tcp("127.0.0.1", port, source), "127.0.0.1 from " + source, port);
    client.require_connected();
    return client;
}

RawClient RawClient::unix_socket(const std::string& path) {
    RawClient client(connect_unix(path), "unix:" + path, 0);
    client.require_connected();
    return client;
}

std::optional<RawClient> RawClient::try_connect(int port) {
    RawClient client(connect_tcp("127.0.0.1", port), "127.0.0.1", port);
    if (client.fd_ < 0) return std::nullopt;
    return client;
}

RawClient::RawClient(int fd, std::string where, int port) : fd_(fd), where_(std::move(where)), port_(port) {}

void RawClient::require_connected() const {
    INFO("connecting to " << where_ << (port_ ? ":" + std::to_string(port_) : ""));
    REQUIRE(fd_ >= 0);
}

RawClient::RawClient(RawClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), where_(std::move(other.where_)), port_(other.port_),
      sent_(std::move(other.sent_)), received_(std::move(other.received_)), parsed_(other.parsed_),
      peer_closed_(other.peer_closed_) {}

RawClient::~RawClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool RawClient::send(std::string_view bytes) {
    sent_.append(bytes);
    while (!bytes.empty()) {
        const auto written = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (written <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
}

bool RawClient::receive_more(std::chrono::steady_clock::time_point deadline) {
    if (peer_closed_) return false;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{fd_, POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[16384];
    const auto count = ::recv(fd_, chunk, sizeof chunk, 0);
    if (count <= 0) {
        peer_closed_ = true;
        return false;
    }
    received_.append(chunk, static_cast<std::size_t>(count));
    return true;
}

std::optional<http::Response> RawClient::read_response(std::string_view method, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    http::ResponseParser parser(http::ParserLimits{.max_body_size = 64 * 1024 * 1024});
    parser.expect_response_to(method);
    while (true) {
        parsed_ += parser.feed(std::string_view(received_).substr(parsed_));
        if (parser.message_complete()) return parser.take_response();
        if (parser.error()) return std::nullopt;
        if (!receive_more(deadline)) {
            if (!peer_closed_) return std::nullopt;
            parser.finish();  // a body delimited by the close is complete now
            if (parser.message_complete()) return parser.take_response();
            return std::nullopt;
        }
    }
}

std::optional<http::Response> RawClient::exchange(std::string_view bytes, std::chrono::milliseconds timeout) {
    std::string method(bytes.substr(0, bytes.find(' ')));
    if (!send(bytes)) return std::nullopt;
    return read_response(method, timeout);
}

http::Response RawClient::answer(std::string_view bytes, std::chrono::milliseconds timeout) {
    auto response = exchange(bytes, timeout);
    if (!response) FAIL("no answer came within " << timeout.count() << " ms\n" << transcript());
    return std::move(*response);
}

bool RawClient::wait_for_close(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (receive_more(deadline)) {
    }
    return peer_closed_;
}

void RawClient::shutdown_send() { ::shutdown(fd_, SHUT_WR); }

std::string RawClient::transcript() const {
    std::string text = "reproduce with:\n  ";
    if (auto curl = as_curl(sent_, where_, port_)) {
        text += *curl;
    } else {
        // printf turns \r, \n and \xNN back into bytes; % must be doubled.
        std::string format;
        for (char c : escape_bytes(sent_, 2000)) {
            if (c == '%') format += "%%";
            else if (c != '\n') format += c;
        }
        const auto destination = where_.starts_with("unix:") ? "-U " + where_.substr(5)
                                                             : where_ + " " + std::to_string(port_);
        text += "printf " + shell_quote(format) + " | nc -q 5 " + destination;
    }
    text += "\n--- sent (" + std::to_string(sent_.size()) + " bytes) ---\n" + escape_bytes(sent_);
    text += "\n--- received (" + std::to_string(received_.size()) + " bytes) ---\n" + escape_bytes(received_);
    text += peer_closed_ ? "\n--- connection closed by the server ---" : "\n--- connection still open ---";
    return text;
}

bool wait_for_port(int port, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (RawClient::try_connect(port)) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

void check_one_after_another(int port, const std::string& request, const std::string& method, int expected_status) {
    constexpr int count = 200;
    RawClient client(port);
    int answered = 0;
    const auto start = std::chrono::steady_clock::now();
    for (; answered < count; ++answered) {
        if (!client.send(request)) break;
        const auto response = client.read_response(method);
        if (!response || response->status != expected_status) break;
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    INFO(escape_bytes(request, 200) << ": " << answered << " of " << count << " answered with " << expected_status
                                    << " in " << took.count() << " ms");
    CHECK(answered == count);
    CHECK(took < 1s);
}

}  // namespace webstack::testing
