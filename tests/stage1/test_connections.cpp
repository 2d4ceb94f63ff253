// Connections: keep-alive, pipelining, 100-continue, and requests one
// after another without a stall. The two modes (threads, --nothreading)
// and their lessons are in test_threading.cpp.
#include "catch.hpp"
#include "stage1_server.hpp"
#include "exhaustion.hpp"

#include <chrono>

using namespace webstack::testing;
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

TEST_CASE("Expect: 100-continue gets 100 Continue before the body is sent", "[stage1][ex.stage1.continue]") {
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

TEST_CASE("Expect: 100-continue with a body over the limit gets the final status instead", "[stage1][ex.stage1.continue]") {
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

// 200 requests, each sent once the previous answer is in, as a browser
// does. When a response left as two writes (head, then body), Nagle's
// algorithm held the body until the client's delayed ACK: 40 ms each, 8 s
// in all. Sent in one write (and with TCP_NODELAY), it takes milliseconds.
TEST_CASE("200 requests one after another on a kept-alive connection take well under a second", "[stage1]") {
    auto server = start_stage1();
    check_one_after_another(server->port(), get("/"));
    check_one_after_another(server->port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "POST");
    check_one_after_another(server->port(), "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD");
}

// Out of descriptors, accept() fails at once while clients wait in the
// queue; the server pauses instead of spinning, says so once, keeps
// serving, and recovers (common/net/accept_backoff.hpp).
TEST_CASE("out of file descriptors: no spinning, one log line, open connections served, then recovery", "[stage1]") {
    ServerProcess server("prlimit", with_open_file_limit(40, binary("stage1-devserver"), {"--bind", "127.0.0.1:0"}));
    check_survives_descriptor_exhaustion(server, "Cannot accept a connection: Too many open files");
}
