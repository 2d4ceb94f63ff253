// Connections: keep-alive, pipelining, 100-continue, idle timeouts, and the
// lesson of this stage: one slow client makes every other client wait.
#include "catch.hpp"
#include "stage1_server.hpp"

#include <chrono>
#include <future>

using namespace webstack::testing;
using Clock = std::chrono::steady_clock;

TEST_CASE("keep-alive serves several requests on one connection", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    for (int i = 0; i < 3; ++i) {
        const auto response = client.exchange(get("/echo?n=" + std::to_string(i)));
        INFO(client.transcript());
        REQUIRE(response);
        CHECK(response->body.starts_with("GET /echo?n=" + std::to_string(i)));
    }
}

TEST_CASE("pipelined requests are answered in order", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst" + get("/nope") +
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nthird\r\n0\r\n\r\n");
    const auto first = client.read_response();
    const auto second = client.read_response();
    const auto third = client.read_response();
    INFO(client.transcript());
    REQUIRE(first);
    REQUIRE(second);
    REQUIRE(third);
    CHECK(first->body.ends_with("\n\nfirst"));
    CHECK(second->status == 404);
    CHECK(third->body.ends_with("\n\nthird"));
}

TEST_CASE("Connection: close and HTTP/1.0 end the connection after the response", "[stage1]") {
    auto server = start_stage1();
    for (std::string request : {get("/", "Connection: close\r\n"), std::string("GET / HTTP/1.0\r\n\r\n")}) {
        RawClient client(server->port());
        const auto response = client.exchange(request);
        INFO(client.transcript());
        REQUIRE(response);
        CHECK(response->headers.get("Connection") == "close");
        CHECK(client.wait_for_close(2s));
    }
}

TEST_CASE("HTTP/1.0 with Connection: keep-alive keeps the connection", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    const auto first = client.exchange("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    const auto second = client.exchange("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->headers.get("Connection") == "keep-alive");
    CHECK(second->status == 200);
}

TEST_CASE("Expect: 100-continue gets 100 Continue before the body is sent", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    client.send("PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    const auto interim = client.read_response("PUT", 2s);
    client.send("data");
    const auto final_response = client.read_response("PUT");
    INFO(client.transcript());
    REQUIRE(interim);
    CHECK(interim->status == 100);
    REQUIRE(final_response);
    CHECK(final_response->status == 200);
    CHECK(final_response->body.ends_with("\n\ndata"));
}

TEST_CASE("Expect: 100-continue with a body over the limit gets the final status instead", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    client.send("PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3000000\r\n\r\n");
    const auto response = client.read_response("PUT", 2s);
    INFO(client.transcript());
    REQUIRE(response);
    // runserver: Django's DATA_UPLOAD_MAX_MEMORY_SIZE answers 400, not 413.
    CHECK(response->status == 400);
    CHECK(response->headers.get("Connection") == "close");
    CHECK(client.wait_for_close(3s));
}

TEST_CASE("an idle keep-alive connection is closed after 5 seconds", "[stage1][slow]") {
    auto server = start_stage1();
    RawClient client(server->port());
    REQUIRE(client.exchange(get("/")));
    const auto start = Clock::now();
    CHECK(client.wait_for_close(8s));
    const auto waited = Clock::now() - start;
    CHECK(waited > 4s);
    CHECK(waited < 7s);
}

TEST_CASE("a client that stops in the middle of a request is dropped and the next is served", "[stage1][slow]") {
    auto server = start_stage1();
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

// The lesson of stage 1: one process, one thread, one connection at a time.
// While one client is served slowly, the next one waits in the kernel's
// accept queue, however quick its own request would be.
TEST_CASE("while one client holds the server a second client waits", "[stage1][lesson]") {
    auto server = start_stage1();
    const int port = server->port();
    RawClient slow_client(port);
    // Connection: close, or the quick client would also wait out the slow
    // client's idle keep-alive connection (the test above).
    slow_client.send(get("/slow?seconds=2", "Connection: close\r\n"));

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
