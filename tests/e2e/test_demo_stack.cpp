// `make demo` (scripts/demo-stack) as a learner meets it: on ports of their
// choosing it serves the real examples/site/static/ (so chapter 5's
// edit-a-file experiment works), and with a port taken it says which one
// and how to move, instead of announcing a stack that is not running.
#include "catch.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace webstack::testing;

namespace {
const std::string demo_stack = std::string(WEBSTACK_SOURCE_DIR) + "/scripts/demo-stack";

std::vector<std::string> demo_arguments(int port, int app_port) {
    return {"--bin", WEBSTACK_BIN_DIR, "--port", std::to_string(port), "--app-port", std::to_string(app_port)};
}

// Somebody else's server: a socket listening on a free port of 127.0.0.1.
class OtherProgram {
public:
    OtherProgram() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::listen(fd_, 8);
        socklen_t length = sizeof address;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
    }
    ~OtherProgram() { ::close(fd_); }
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

// Sets a file's modification time for the test, and puts the old one back.
class MtimeChange {
public:
    MtimeChange(std::string path, long seconds) : path_(std::move(path)) {
        struct stat info {};
        ::stat(path_.c_str(), &info);
        original_ = info.st_mtim;
        const timespec times[2] = {{seconds, 0}, {seconds, 0}};
        ::utimensat(AT_FDCWD, path_.c_str(), times, 0);
    }
    ~MtimeChange() {
        const timespec times[2] = {original_, original_};
        ::utimensat(AT_FDCWD, path_.c_str(), times, 0);
    }

private:
    std::string path_;
    timespec original_{};
};
}  // namespace

TEST_CASE("make demo on other ports serves the real examples/site/static: an edited file comes back new", "[e2e]") {
    const int port = free_port();
    ServerProcess stack(demo_stack, demo_arguments(port, free_port()));
    REQUIRE(stack.wait_for_output("The whole stack is running", 20s));
    const std::string css = std::string(WEBSTACK_SOURCE_DIR) + "/examples/site/static/css/site.css";

    RawClient client(port);
    const auto first = client.exchange(get("/static/css/site.css"));
    INFO(client.transcript());
    REQUIRE(first);
    REQUIRE(first->status == 200);
    const auto etag = std::string(first->headers.get("ETag").value_or(""));
    CHECK(client.answer(get("/static/css/site.css", "If-None-Match: " + etag + "\r\n")).status == 304);

    // `touch examples/site/static/css/site.css`, as chapter 5 says.
    const MtimeChange touched(css, 1795428000);  // Mon, 23 Nov 2026 10:00:00 GMT
    const auto after = client.exchange(get("/static/css/site.css", "If-None-Match: " + etag + "\r\n"));
    REQUIRE(after);
    CHECK(after->status == 200);
    CHECK(after->headers.get("Last-Modified") == "Mon, 23 Nov 2026 10:00:00 GMT");
    CHECK(after->headers.get("ETag") != etag);

    stack.send_signal(SIGTERM);
    CHECK(stack.wait_for_exit(10s) == 0);
}

TEST_CASE("make demo with a port taken names the port and the command that moves the demo", "[e2e]") {
    const OtherProgram other;
    const int free = free_port();
    for (const auto& [port, app_port] : {std::pair<int, int>{other.port(), free}, {free, other.port()}}) {
        const auto result = run_command({demo_stack, "--bin", WEBSTACK_BIN_DIR, "--port", std::to_string(port),
                                         "--app-port", std::to_string(app_port)},
                                        20s);
        INFO(result.output);
        CHECK(result.exit_status == 1);
        CHECK(result.output.find("port " + std::to_string(other.port()) + " on 127.0.0.1 is taken by another program") !=
              std::string::npos);
        CHECK(result.output.find("make demo PORT=") != std::string::npos);
        CHECK(result.output.find("running") == std::string::npos);
        CHECK(result.output.find("listen directive") == std::string::npos);  // no advice to edit a config line
    }
}
