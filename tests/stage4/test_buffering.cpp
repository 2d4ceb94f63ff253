// The lesson of buffering: the proxy absorbs slow clients, so the app server (and
// a sync worker behind it) is held only as long as it takes to work.
#include "catch.hpp"
#include "scripted_upstream.hpp"
#include "stage4_proxy.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

using namespace webstack::testing;

namespace {
// A body whose every byte says where it is, so a reordered or lost piece shows.
std::string patterned_body(std::size_t size) {
    std::string body(size, '\0');
    for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
    return body;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}
}  // namespace

TEST_CASE("response buffering frees the upstream before a slow client reads, spilling to a file", "[stage4]") {
    const std::string body = patterned_body(16 * 1024 * 1024);  // more than every socket buffer on the way
    ScriptedUpstream upstream(ScriptedUpstream::ok(body));
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient client(proxy->port);
    client.send(get("/big"));
    // The client reads nothing yet; the upstream is done anyway.
    CHECK(wait_until([&] { return upstream.responses_sent() == 1; }, 5s));
    const auto response = client.read_response("GET", 10s);
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body.size() == body.size());
    CHECK(response->body == body);  // byte-exact, through memory and the temporary file
}

TEST_CASE("with proxy_buffering off the upstream waits for the client", "[stage4]") {
    const std::string body = patterned_body(16 * 1024 * 1024);
    ScriptedUpstream upstream(ScriptedUpstream::ok(body));
    auto proxy = start_stage4(proxy_site(upstream.port(), "proxy_buffering off;\n"));
    RawClient client(proxy->port);
    client.send(get("/big"));
    CHECK_FALSE(wait_until([&] { return upstream.responses_sent() == 1; }, 1500ms));
    const auto response = client.read_response("GET", 10s);
    REQUIRE(response);
    CHECK(response->body == body);
    CHECK(wait_until([&] { return upstream.responses_sent() == 1; }, 2s));
}

TEST_CASE("request buffering: the upstream hears of a request only once its body is complete", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("stored"));
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient client(proxy->port);
    client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
    std::this_thread::sleep_for(500ms);
    CHECK(upstream.connections() == 0);  // not even connected yet
    client.send("world");
    const auto response = client.read_response("POST");
    REQUIRE(response);
    CHECK(response->body == "stored");
    REQUIRE(upstream.wait_for_requests(1));
    CHECK(upstream.requests()[0].ends_with("\r\n\r\nhelloworld"));
}

TEST_CASE("a large request body spills to a file and arrives byte-exact", "[stage4]") {
    const std::string body = patterned_body(3 * 1024 * 1024 + 17);
    ScriptedUpstream upstream(ScriptedUpstream::ok("stored"));
    auto proxy = start_stage4(proxy_site(upstream.port(), "client_max_body_size 10m;\n"));
    RawClient client(proxy->port);
    const auto response = client.exchange("PUT /file HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                          std::to_string(body.size()) + "\r\n\r\n" + body, 10s);
    REQUIRE(response);
    CHECK(response->body == "stored");
    REQUIRE(upstream.wait_for_requests(1));
    const auto received = upstream.requests()[0];
    CHECK(received.substr(received.find("\r\n\r\n") + 4) == body);
}

TEST_CASE("upstream connections are kept and reused", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("again"), ScriptedUpstream::Behaviour::KeepAlive);
    auto proxy = start_stage4(proxy_site(upstream.port()));
    for (int i = 0; i < 10; ++i) {
        RawClient client(proxy->port);  // a new client each time: the pool is the proxy's, not the client's
        REQUIRE(client.answer(get("/" + std::to_string(i))).body == "again");
    }
    CHECK(upstream.wait_for_requests(10));
    CHECK(upstream.connections() == 1);
    const auto first = upstream.requests().front();
    CHECK(first.find("\r\nConnection:") == std::string::npos);  // HTTP/1.1, kept: no "Connection: close"
}

// The proxy sends a request's head and body to the app server as two
// writes, on a kept connection: without TCP_NODELAY there, Nagle's
// algorithm held the body until the app server's delayed ACK (40 ms).
TEST_CASE("200 requests one after another through the proxy take well under a second", "[stage4]") {
    ServerProcess app_server(binary("stage3-prefork-server"), {"testing:read_lines", "-k", "async", "-w", "1",
                                                               "--bind", "127.0.0.1:0", "--app-path",
                                                               WEBSTACK_TEST_APPS_DIR});
    auto proxy = start_stage4(proxy_site(app_server.port()));
    check_one_after_another(proxy->port, get("/"));
    check_one_after_another(proxy->port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nhello\n", "POST");
}

TEST_CASE("keepalive 0 closes each upstream connection and says so", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("again"), ScriptedUpstream::Behaviour::KeepAlive);
    auto proxy = start_stage4("upstream app { server 127.0.0.1:" + std::to_string(upstream.port()) +
                              "; keepalive 0; }\n"
                              "server { listen 127.0.0.1:0; location / { proxy_pass http://app; } }\n");
    for (int i = 0; i < 3; ++i) {
        RawClient client(proxy->port);
        REQUIRE(client.answer(get("/")).body == "again");
    }
    CHECK(upstream.wait_for_requests(3));
    CHECK(upstream.connections() == 3);
    CHECK(upstream.requests().front().find("\r\nConnection: close\r\n") != std::string::npos);
}

TEST_CASE("a kept connection the upstream closed is retried on a fresh one", "[stage4]") {
    // This upstream closes after each answer without saying so: the proxy
    // keeps the connection, finds it dead at the next request, and retries.
    ScriptedUpstream upstream(ScriptedUpstream::ok("fresh"));
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient client(proxy->port);
    for (int i = 0; i < 5; ++i) {
        const auto response = client.exchange(get("/"));
        INFO(client.transcript());
        REQUIRE(response);
        CHECK(response->body == "fresh");
    }
}

TEST_CASE("the shielding lesson: a trickling client holds a sync worker directly, not through the proxy", "[stage4][break]") {
    // One sync worker, as Gunicorn's docs warn about. (TUTORIAL.md chapter 4,
    // "Break it on purpose": without request buffering the second half fails.)
    ServerProcess app_server(binary("stage3-prefork-server"), {"hello_world:process_http_request", "--workers", "1",
                                                               "--bind", "127.0.0.1:0"});
    const int app_port = app_server.port();
    auto proxy = start_stage4(proxy_site(app_port));
    const std::string slow_head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhel";  // 7 bytes to come

    const auto time_a_get = [](int port) {
        RawClient client(port);
        const auto start = std::chrono::steady_clock::now();
        const auto response = client.exchange(get("/"), 3s);
        const auto took = std::chrono::steady_clock::now() - start;
        return std::make_pair(response && response->status == 200, took);
    };

    SECTION("directly: the worker waits for the slow client, and everyone waits for the worker") {
        RawClient slow(app_port);
        slow.send(slow_head);
        std::this_thread::sleep_for(200ms);  // the worker has taken the slow connection
        const auto [answered, took] = time_a_get(app_port);
        CHECK((!answered || took >= 2s));
        slow.send("lo worl");  // let the worker go
    }
    SECTION("through the proxy: the proxy waits, the worker is free") {
        RawClient slow(proxy->port);
        slow.send(slow_head);
        std::this_thread::sleep_for(200ms);
        const auto [answered, took] = time_a_get(proxy->port);
        CHECK(answered);
        CHECK(took < 500ms);
        slow.send("lo worl");
        const auto late = slow.read_response("POST");
        REQUIRE(late);
        CHECK(late->body == "Hello World");
    }
}

TEST_CASE("a buffered answer frees the kept upstream connection for the next client at once", "[stage4]") {
    const std::string body(4 * 1024 * 1024, 'z');
    ScriptedUpstream upstream(ScriptedUpstream::ok(body), ScriptedUpstream::Behaviour::KeepAlive);
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient slow(proxy->port);
    slow.send(get("/big"));  // and reads nothing for now
    REQUIRE(upstream.wait_for_requests(1));
    std::this_thread::sleep_for(300ms);
    // The next request reuses the same upstream connection: the first answer
    // was read whole, and the connection went back to the pool.
    RawClient quick(proxy->port);
    const auto response = quick.exchange(get("/small"), 5s);
    REQUIRE(response);
    CHECK(response->body.size() == body.size());
    CHECK(upstream.connections() == 1);
    const auto late = slow.read_response("GET", 10s);
    REQUIRE(late);
    CHECK(late->body == body);
}

TEST_CASE("a body nobody reads is discarded and the connection carries the next request", "[stage4]") {
    auto proxy = start_stage4("server {\n listen 127.0.0.1:0;\n location / { return 200 \"answered\"; }\n}\n");
    RawClient client(proxy->port);
    // Three requests with bodies, pipelined in one write, the last one chunked.
    const std::string body(5000, 'b');
    REQUIRE(client.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"
                        "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + body +
                        "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
    INFO(client.transcript());
    for (int i = 0; i < 3; ++i) {
        const auto answer = client.read_response("POST");
        REQUIRE(answer);
        CHECK(answer->body == "answered");
        CHECK(answer->headers.get("Connection") == "keep-alive");
    }
}

TEST_CASE("with proxy_request_buffering off, $request_body is the streamed body when it fits the buffer", "[stage4]") {
    ScriptedUpstream app(ScriptedUpstream::ok("app"), ScriptedUpstream::Behaviour::KeepAlive);
    auto proxy = start_stage4("server {\n listen 127.0.0.1:0;\n proxy_request_buffering off; client_body_buffer_size 1k;\n"
                              " location / { proxy_pass http://127.0.0.1:" + std::to_string(app.port()) + ";\n"
                              "   add_header X-Body $request_body; }\n}\n");
    RawClient client(proxy->port);
    const auto small = client.answer("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    INFO(client.transcript());
    CHECK(small.headers.get("X-Body") == "hello");
    const auto large = client.answer("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'x'));
    CHECK(large.body == "app");
    CHECK_FALSE(large.headers.get("X-Body"));  // too large for the buffer: not kept
}

TEST_CASE("each upstream block keeps its own connections, even to a server another block names", "[stage4]") {
    ScriptedUpstream app(ScriptedUpstream::ok("app"), ScriptedUpstream::Behaviour::KeepAlive);
    const std::string server = "server 127.0.0.1:" + std::to_string(app.port()) + ";";
    auto proxy = start_stage4("upstream a { " + server + " keepalive 1; }\n"
                              "upstream b { " + server + " keepalive 1; }\n"
                              "server {\n listen 127.0.0.1:0;\n"
                              " location /a { proxy_pass http://a; }\n location /b { proxy_pass http://b; }\n}\n");
    RawClient client(proxy->port);
    CHECK(client.answer(get("/a")).body == "app");
    CHECK(client.answer(get("/b")).body == "app");  // not a's kept connection: one of its own
    CHECK(client.answer(get("/a")).body == "app");
    CHECK(client.answer(get("/b")).body == "app");
    CHECK(app.connections() == 2);
}

TEST_CASE("$request_body_file names the file a large body went to, kept with client_body_in_file_only on", "[stage4]") {
    ScriptedUpstream app(ScriptedUpstream::ok("app"), ScriptedUpstream::Behaviour::KeepAlive);
    ConfigFolder temp;
    const std::string to = "http://127.0.0.1:" + std::to_string(app.port());
    auto proxy = start_stage4("server {\n listen 127.0.0.1:0;\n client_body_buffer_size 1k;\n"
                              " client_body_temp_path " + temp.path().string() + ";\n"
                              " add_header X-File $request_body_file;\n"
                              " location / { proxy_pass " + to + "; }\n"
                              " location /kept { client_body_in_file_only on; proxy_pass " + to + "; }\n}\n");
    RawClient client(proxy->port);
    const auto small = client.answer("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    INFO(client.transcript());
    CHECK_FALSE(small.headers.get("X-File"));  // in memory: no file
    const std::string body(3000, 'z');
    const auto large = client.answer("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n" + body);
    const std::string file(large.headers.get("X-File").value_or(""));
    CHECK(file.starts_with(temp.path().string() + "/"));
    for (int wait = 0; wait < 50 && std::filesystem::exists(file); ++wait)  // removed when the request ends,
        std::this_thread::sleep_for(std::chrono::milliseconds(10));           // just after its answer went out
    CHECK_FALSE(std::filesystem::exists(file));
    CHECK(app.requests().back().ends_with(body));
    const auto kept = client.answer("POST /kept HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    const std::string kept_file(kept.headers.get("X-File").value_or(""));
    REQUIRE_FALSE(kept_file.empty());
    std::ifstream in(kept_file);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "hello");  // the whole body, left for an app to read
}

TEST_CASE("with proxy_request_buffering off, a chunked body goes upstream in chunks as it comes", "[stage4]") {
    ScriptedUpstream app(ScriptedUpstream::ok("app"), ScriptedUpstream::Behaviour::KeepAlive);
    auto proxy = start_stage4("server {\n listen 127.0.0.1:0;\n proxy_request_buffering off;\n"
                              " location / { proxy_pass http://127.0.0.1:" + std::to_string(app.port()) + "; }\n"
                              " location /old/ { proxy_http_version 1.0; proxy_pass http://127.0.0.1:" +
                              std::to_string(app.port()) + "; }\n}\n");
    RawClient client(proxy->port);
    const auto answer = client.answer("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    INFO(client.transcript());
    CHECK(answer.body == "app");
    const auto sent = app.requests().back();
    CHECK(sent.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    CHECK(sent.find("Content-Length") == std::string::npos);
    CHECK(sent.ends_with("\r\n\r\nb\r\nhello world\r\n0\r\n\r\n"));  // what arrived together, one chunk (as nginx)
    // An HTTP/1.0 upstream knows no chunks: the body is read whole, for a length.
    CHECK(client.answer("POST /old/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").body == "app");
    CHECK(app.requests().back().ends_with("Content-Length: 5\r\n\r\nhello"));
}
