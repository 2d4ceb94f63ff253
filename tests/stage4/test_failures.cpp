// When the upstream fails: 502 for "it answered wrong or not at all", 504
// for "it took too long"; and nginx's stop signals.
#include "catch.hpp"
#include "scripted_upstream.hpp"
#include "stage4_proxy.hpp"
#include "exhaustion.hpp"

#include <csignal>
#include <future>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace webstack::testing;

namespace {
struct Timed {
    std::optional<webstack::http::Response> response;
    std::chrono::milliseconds took;
};

Timed timed_get(int port, const std::string& target = "/") {
    RawClient client(port);
    const auto start = std::chrono::steady_clock::now();
    auto response = client.exchange(get(target), 10s);
    return {response, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)};
}
}  // namespace

TEST_CASE("502 when the upstream refuses the connection", "[stage4]") {
    const int port = free_port();  // nothing listens there
    auto proxy = start_stage4(proxy_site(port));
    const auto result = timed_get(proxy->port);
    REQUIRE(result.response);
    CHECK(result.response->status == 502);
    CHECK(result.response->body.find("<center><h1>502 Bad Gateway</h1></center>") != std::string::npos);
    CHECK(result.response->body.find("<hr><center>webstack</center>") != std::string::npos);
    CHECK(result.took < 1s);
    CHECK(proxy->process->wait_for_output(R"(\[error\] \d+#0: connect\(\) failed \(111: Connection refused\) while connecting to upstream, client: 127\.0\.0\.1)"));
}

TEST_CASE("502 when the upstream closes without an answer or sends garbage", "[stage4]") {
    SECTION("closed") {
        ScriptedUpstream upstream("", ScriptedUpstream::Behaviour::CloseAtOnce);
        auto proxy = start_stage4(proxy_site(upstream.port()));
        const auto result = timed_get(proxy->port);
        REQUIRE(result.response);
        CHECK(result.response->status == 502);
        CHECK(proxy->process->wait_for_output("upstream prematurely closed connection while reading response header"));
    }
    SECTION("garbage") {
        ScriptedUpstream upstream("SSH-2.0-OpenSSH_9.2\r\n\r\n");
        auto proxy = start_stage4(proxy_site(upstream.port()));
        const auto result = timed_get(proxy->port);
        REQUIRE(result.response);
        CHECK(result.response->status == 502);
        CHECK(proxy->process->wait_for_output("upstream sent invalid header"));
    }
}

TEST_CASE("504 when the upstream is slower than proxy_read_timeout", "[stage4]") {
    ScriptedUpstream upstream("", ScriptedUpstream::Behaviour::Hang, 5s);
    auto proxy = start_stage4(proxy_site(upstream.port(), "proxy_read_timeout 1s;\n"));
    const auto result = timed_get(proxy->port);
    REQUIRE(result.response);
    CHECK(result.response->status == 504);
    CHECK(result.response->body.find("504 Gateway Time-out") != std::string::npos);
    CHECK(result.took >= 900ms);
    CHECK(result.took < 2500ms);
    CHECK(proxy->process->wait_for_output(R"(upstream timed out \(110: Connection timed out\) while reading response header from upstream)"));
}

TEST_CASE("504 when connecting takes longer than proxy_connect_timeout", "[stage4]") {
    // An upstream whose accept queue is full: the kernel drops new SYNs, so
    // a connect() hangs as it would to a machine that does not answer.
    const int listening = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(listening, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listening, 0) == 0);
    ::getsockname(listening, reinterpret_cast<sockaddr*>(&address), &length);
    const int port = ntohs(address.sin_port);
    // Fill the queue with connections nobody accepts (non-blocking: the
    // later ones hang too).
    std::vector<int> fillers;
    for (int i = 0; i < 3; ++i) {
        fillers.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        ::connect(fillers.back(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    }
    auto proxy = start_stage4(proxy_site(port, "proxy_connect_timeout 1s;\n"));
    const auto result = timed_get(proxy->port);
    ::close(listening);
    for (const int filler : fillers) ::close(filler);
    REQUIRE(result.response);
    CHECK(result.response->status == 504);
    CHECK(result.took >= 900ms);
    CHECK(result.took < 2500ms);
    CHECK(proxy->process->wait_for_output(R"(upstream timed out \(110: Connection timed out\) while connecting to upstream)"));
}

TEST_CASE("a slow upstream within proxy_read_timeout is waited for", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("worth the wait"), ScriptedUpstream::Behaviour::RespondSlowly, 1s);
    auto proxy = start_stage4(proxy_site(upstream.port(), "proxy_read_timeout 3s;\n"));
    const auto result = timed_get(proxy->port);
    REQUIRE(result.response);
    CHECK(result.response->body == "worth the wait");
}

TEST_CASE("a kept-alive client connection carries many requests", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("again"));
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient client(proxy->port);
    for (int i = 0; i < 5; ++i) {
        const auto response = client.exchange(get("/"));
        REQUIRE(response);
        CHECK(response->body == "again");
        CHECK(response->headers.get("Connection") == "keep-alive");
    }
    // Pipelined: two requests in one write, two answers in order.
    client.send(get("/1") + get("/2"));
    CHECK(client.read_response().value().body == "again");
    CHECK(client.read_response().value().body == "again");
    CHECK(upstream.wait_for_requests(7));
}

TEST_CASE("keepalive_timeout closes an idle client connection", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("hi"));
    auto proxy = start_stage4(proxy_site(upstream.port(), "keepalive_timeout 1s;\n"));
    RawClient client(proxy->port);
    REQUIRE(client.exchange(get("/")));
    const auto start = std::chrono::steady_clock::now();
    CHECK(client.wait_for_close(5s));
    CHECK(std::chrono::steady_clock::now() - start < 2500ms);
}

TEST_CASE("QUIT lets the request in flight finish, then exits 0", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("finished"), ScriptedUpstream::Behaviour::RespondSlowly, 1s);
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient idle(proxy->port);
    REQUIRE(idle.exchange(get("/")));  // now idle, kept alive
    RawClient busy(proxy->port);
    busy.send(get("/slow"));
    REQUIRE(upstream.wait_for_requests(2));
    proxy->process->send_signal(SIGQUIT);
    const auto response = busy.read_response();
    INFO(busy.transcript());
    REQUIRE(response);
    CHECK(response->body == "finished");
    CHECK(idle.wait_for_close(2s));  // the idle connection is closed at once
    CHECK(proxy->process->wait_for_exit(5s) == 0);
    CHECK(proxy->process->output().find("gracefully shutting down") != std::string::npos);
}

TEST_CASE("TERM stops at once", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("never"), ScriptedUpstream::Behaviour::RespondSlowly, 3s);
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient busy(proxy->port);
    busy.send(get("/slow"));
    REQUIRE(upstream.wait_for_requests(1));
    const auto start = std::chrono::steady_clock::now();
    proxy->process->send_signal(SIGTERM);
    CHECK(proxy->process->wait_for_exit(2s) == 0);
    CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("a port in use is one clear line and exit 1", "[stage4]") {
    auto first = start_stage4("server { listen 127.0.0.1:0; return 200 \"first\"; }\n");
    ConfigFolder folder;
    const auto config = folder.write(
        "nginx.conf", nginx_conf("server { listen 127.0.0.1:" + std::to_string(first->port) + "; return 200 \"x\"; }\n"));
    const auto result = run_command({binary("stage4-reverse-proxy"), "-c", config});
    INFO(result.output);
    CHECK(result.exit_status == 1);
    CHECK(result.output.find("[emerg] bind() to 127.0.0.1:" + std::to_string(first->port) +
                             " failed (98: Address already in use)") != std::string::npos);
}

TEST_CASE("worker_connections bounds the open client connections", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("ok"));
    auto proxy = std::make_unique<Stage4>();
    const auto config = proxy->folder.write(
        "nginx.conf", "events { worker_connections 2; }\nhttp {\n" + proxy_site(upstream.port()) + "}\n");
    proxy->process = std::make_unique<ServerProcess>(binary("stage4-reverse-proxy"), std::vector<std::string>{"-c", config});
    const int port = proxy->process->port();
    RawClient first(port), second(port);
    REQUIRE(first.exchange(get("/")));
    REQUIRE(second.exchange(get("/")));
    RawClient third(port);
    CHECK(third.wait_for_close(2s));
    CHECK(proxy->process->wait_for_output("\\[crit\\] \\d+#0: 2 worker_connections are not enough"));
    CHECK(first.exchange(get("/")));  // the others go on
}

TEST_CASE("out of file descriptors, as nginx: [crit] accept4() failed, a pause, open connections served", "[stage4]") {
    ConfigFolder folder;
    const auto config = folder.write("nginx.conf", nginx_conf("server { listen 127.0.0.1:0; location / { return 200 ok; } }"));
    ServerProcess server("prlimit", with_open_file_limit(40, binary("stage4-reverse-proxy"), {"-c", config}));
    check_survives_descriptor_exhaustion(server, "accept4() failed (24: Too many open files)");
}
