// runserver's two modes, and the lesson of each. By default a thread per
// connection: a slow client holds only its own thread, but threads have no
// limit and share one process. With --nothreading, one connection at a
// time: one slow client makes every other client wait.
#include "catch.hpp"
#include "stage1_server.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <future>
#include <thread>

using namespace webstack::testing;
using Clock = std::chrono::steady_clock;

namespace {
std::unique_ptr<ServerProcess> start_nothreading() {
    return start_stage1({"--bind", "127.0.0.1:0", "--nothreading"});
}

// The "Threads:" line of /proc/PID/status.
int thread_count(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("Threads:")) return std::stoi(line.substr(8));
    return -1;
}

// Waits (bounded) until the server runs `count` threads; the last count seen.
int wait_for_threads(pid_t pid, int count, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    int seen = thread_count(pid);
    while (seen != count && Clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        seen = thread_count(pid);
    }
    return seen;
}
}  // namespace

TEST_CASE("threaded: while a slow request runs, another client is served at once", "[stage1][lesson]") {
    auto server = start_stage1();
    RawClient slow_client(server->port());
    slow_client.send(get("/slow?seconds=2"));
    RawClient quick_client(server->port());
    const auto start = Clock::now();
    const auto quick = quick_client.exchange(get("/"));
    const auto quick_took = Clock::now() - start;
    const auto slow = slow_client.read_response("GET", 10s);
    INFO(slow_client.transcript() << "\n" << quick_client.transcript());
    REQUIRE(quick);
    REQUIRE(slow);
    CHECK(quick->status == 200);
    CHECK(slow->status == 200);
    CHECK(quick_took < 1s);
}

TEST_CASE("threaded: a client that sends nothing holds only its own thread, for as long as it likes",
          "[stage1][lesson]") {
    auto server = start_stage1();
    RawClient silent(server->port());
    RawClient stuck(server->port());
    stuck.send("GET / HTTP/1.1\r\nHost: x\r\nX-Half: ");
    RawClient next(server->port());
    const auto start = Clock::now();
    const auto response = next.exchange(get("/"));
    INFO(next.transcript());
    REQUIRE(response);
    CHECK(Clock::now() - start < 1s);
    // runserver has no idle timeout: both are still open (checked past the
    // 5 s that --nothreading allows a silent client).
    CHECK_FALSE(silent.wait_for_close(6s));
    CHECK_FALSE(stuck.wait_for_close(10ms));
    CHECK(stuck.answer("1\r\n\r\n").status == 200);
}

TEST_CASE("threaded: every open connection is one more thread, ended when it closes", "[stage1][lesson]") {
    auto server = start_stage1();
    const int port = server->port();
    const pid_t pid = server->pid();
    const int idle_threads = thread_count(pid);
    REQUIRE(idle_threads > 0);
    {
        std::vector<RawClient> clients;
        for (int i = 0; i < 50; ++i) clients.emplace_back(port);
        CHECK(wait_for_threads(pid, idle_threads + 50) == idle_threads + 50);
    }
    // The clients closed: their threads end and are joined.
    CHECK(wait_for_threads(pid, idle_threads) == idle_threads);
}

TEST_CASE("threaded: /crash takes every request in flight down with the process", "[stage1][lesson]") {
    auto server = start_stage1();
    RawClient slow_client(server->port());
    slow_client.send(get("/slow?seconds=5"));
    RawClient crasher(server->port());
    crasher.send(get("/crash"));
    INFO(server->output());
    const auto status = server->wait_for_exit(5s);
    REQUIRE(status);
    CHECK(*status != 0);
    // The slow request was running on another thread of the same process:
    // its client gets no answer at all.
    CHECK_FALSE(slow_client.read_response("GET", 2s));
    CHECK(server->output().find("/crash: crashing the whole process on purpose") != std::string::npos);
}

TEST_CASE("threaded: Ctrl-C stops the server at once, even with idle connections open", "[stage1]") {
    auto server = start_stage1();
    std::vector<RawClient> clients;
    for (int i = 0; i < 5; ++i) clients.emplace_back(server->port());
    REQUIRE(clients.back().exchange(get("/")));
    server->send_signal(SIGINT);
    const auto status = server->wait_for_exit(2s);
    INFO(server->output());
    REQUIRE(status);
    CHECK(*status == 0);
}

TEST_CASE("with --nothreading, every response says Connection: close, as runserver's", "[stage1]") {
    auto server = start_nothreading();
    RawClient client(server->port());
    const auto response = client.exchange(get("/"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->headers.get("Connection") == "close");
    CHECK(client.wait_for_close(2s));
    CHECK(server->output().find("It serves one connection at a time (--nothreading)") != std::string::npos);
}

// The lesson of --nothreading: while one client is served slowly, the next
// one waits in the kernel's accept queue, however quick its own request.
TEST_CASE("with --nothreading, while one client holds the server a second client waits", "[stage1][lesson]") {
    auto server = start_nothreading();
    const int port = server->port();
    RawClient slow_client(port);
    slow_client.send(get("/slow?seconds=2"));

    RawClient quick_client(port);
    const auto start = Clock::now();
    auto quick = std::async(std::launch::async, [&] { return quick_client.exchange(get("/"), 10s); });
    const auto slow_response = slow_client.read_response("GET", 10s);
    const auto slow_done = Clock::now();
    const auto quick_response = quick.get();
    const auto quick_done = Clock::now();

    INFO(slow_client.transcript() << "\n" << quick_client.transcript());
    REQUIRE(slow_response);
    REQUIRE(quick_response);
    CHECK(slow_response->status == 200);
    CHECK(quick_response->status == 200);
    // The quick request took as long as the slow one: it was not served
    // until the slow connection was done.
    CHECK(quick_done - start > 1500ms);
    CHECK(quick_done >= slow_done - 50ms);
}

// runserver --nothreading would wait for ever; we give up after 5 s.
TEST_CASE("with --nothreading, a client that sends nothing holds the server for 5 seconds", "[stage1][slow]") {
    auto server = start_nothreading();
    RawClient silent(server->port());
    RawClient next(server->port());
    const auto start = Clock::now();
    const auto response = next.exchange(get("/"), 8s);
    const auto waited = Clock::now() - start;
    INFO(next.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(waited > 4s);
    CHECK(waited < 7s);
    CHECK(silent.wait_for_close(1s));
}

TEST_CASE("with --nothreading, a client that stops in the middle of a request is dropped and the next is served",
          "[stage1][slow]") {
    auto server = start_nothreading();
    RawClient stuck(server->port());
    stuck.send("GET / HTTP/1.1\r\nHost: x\r\nX-Half: ");
    RawClient next(server->port());
    const auto start = Clock::now();
    const auto response = next.exchange(get("/"), 8s);
    INFO(next.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(Clock::now() - start > 4s);  // it waited for the idle timeout of the stuck client
    CHECK(stuck.wait_for_close(1s));
}
