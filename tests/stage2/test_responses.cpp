// How the server frames what the app returns, and that close() is always called.
#include "catch.hpp"
#include "stage2_server.hpp"

#include <tuple>

using namespace webstack::testing;

TEST_CASE("a body without Content-Length is chunked on HTTP/1.1", "[stage2]") {
    auto server = start_stage2("testing:stream");
    RawClient client(server->port());
    const auto response = client.exchange(get("/?n=3"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->headers.get("Transfer-Encoding") == "chunked");
    CHECK(response->body == "chunk 0\nchunk 1\nchunk 2\n");
    CHECK(client.exchange(get("/?n=1")));  // the connection stays usable
}

TEST_CASE("a body without Content-Length ends with the connection on HTTP/1.0", "[stage2]") {
    auto server = start_stage2("testing:stream");
    RawClient client(server->port());
    const auto response = client.exchange("GET /?n=2 HTTP/1.0\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(response);
    CHECK_FALSE(response->headers.contains("Transfer-Encoding"));
    CHECK(response->headers.get("Connection") == "close");
    CHECK(response->body == "chunk 0\nchunk 1\n");
}

TEST_CASE("HEAD and 204 responses carry no body", "[stage2]") {
    auto server = start_stage2("testing:no_content");
    RawClient client(server->port());
    const auto no_content = client.exchange(get("/"));
    const auto after = client.exchange(get("/"));
    INFO(client.transcript());
    REQUIRE(no_content);
    REQUIRE(after);  // nothing stray was left between the two responses
    CHECK(no_content->status == 204);
    CHECK(client.transcript().find("must not be sent") == std::string::npos);

    auto hello = start_stage2("hello_world:process_http_request");
    RawClient head_client(hello->port());
    const auto head = head_client.exchange("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto next = head_client.exchange(get("/"));
    INFO(head_client.transcript());
    REQUIRE(head);
    REQUIRE(next);
    CHECK(head->body.empty());
    CHECK(next->body == "Hello World");
}

TEST_CASE("the app's Content-Length is honoured in both directions", "[stage2]") {
    // Too many bytes: the server sends exactly Content-Length of them.
    auto too_short = start_stage2("broken:content_length_too_short");
    RawClient first(too_short->port());
    const auto cut = first.exchange(get("/"));
    const auto next = first.exchange(get("/"));
    INFO(first.transcript());
    REQUIRE(cut);
    CHECK(cut->body == "twent");
    REQUIRE(next);  // the extra bytes did not leak into the next response
    CHECK(next->body == "twent");

    // Too few bytes: the client would wait forever, so the server closes.
    auto too_long = start_stage2("broken:content_length_too_long");
    RawClient second(too_long->port());
    second.send(get("/"));
    CHECK_FALSE(second.read_response("GET", 3s));
    INFO(second.transcript());
    CHECK(second.transcript().find("ten bytes") != std::string::npos);
    CHECK(second.wait_for_close(1s));
}

TEST_CASE("close() is called after a successful response", "[stage2]") {
    auto server = start_stage2("testing:stream");
    RawClient client(server->port());
    REQUIRE(client.exchange(get("/done")));
    CHECK(server->wait_for_output("close\\(\\) called for /done"));
}

TEST_CASE("close() is called when the body raises", "[stage2]") {
    auto server = start_stage2("testing:raise_in_body");
    RawClient client(server->port());
    const auto response = client.exchange(get("/raising"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 500);  // nothing was sent yet, so a 500 is still possible
    CHECK(server->wait_for_output("close\\(\\) called for /raising"));
    CHECK(server->wait_for_output("Internal Server Error: /raising"));
    CHECK(server->wait_for_output("std::runtime_error: raised inside the body"));
}

TEST_CASE("close() is called when the client goes away mid-body", "[stage2]") {
    auto server = start_stage2("testing:big_stream");
    {
        RawClient client(server->port());
        client.send(get("/big"));
        REQUIRE(client.read_response("HEAD", 3s));  // the head only; then we hang up
    }
    CHECK(server->wait_for_output("close\\(\\) called for /big", 10s));
    // And the server is free for the next client.
    RawClient next(server->port());
    next.send(get("/big", "Connection: close\r\n"));
    CHECK(next.read_response("HEAD", 5s));
}

TEST_CASE("an exception after the headers were sent closes the connection", "[stage2]") {
    auto server = start_stage2("broken:throws_after_headers");
    RawClient client(server->port());
    client.send(get("/"));
    CHECK_FALSE(client.read_response("GET", 3s));  // chunked body never terminated
    INFO(client.transcript());
    CHECK(client.transcript().find("first chunk") != std::string::npos);
    CHECK(client.wait_for_close(1s));
    CHECK(server->wait_for_output("the headers were already sent: closing the connection"));
}

TEST_CASE("an exception before the headers is a 500 with the message in the log", "[stage2]") {
    auto server = start_stage2("broken:throws_before_headers");
    RawClient client(server->port());
    const auto response = client.exchange(get("/db"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 500);
    CHECK(response->body.find("A server error occurred") != std::string::npos);
    CHECK(server->wait_for_output("std::runtime_error: the database is down"));
    CHECK(server->output().find("Internal Server Error: /db\nTraceback") != std::string::npos);
    CHECK(client.answer(get("/")).status == 500);  // the server goes on
}

// A streamed body goes out chunk by chunk, one write each: without
// TCP_NODELAY, Nagle's algorithm would hold each small write back until the
// client acknowledged the one before (up to 40 ms, with delayed ACKs).
TEST_CASE("200 requests one after another on a kept-alive connection take well under a second", "[stage2]") {
    for (const auto& [app, request, method] :
         {std::tuple<std::string, std::string, std::string>{"hello_world:process_http_request", get("/"), "GET"},
          {"testing:stream", get("/?n=3"), "GET"},
          {"testing:read_lines", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nhello\n", "POST"}}) {
        auto server = start_stage2(app);
        INFO(app);
        check_one_after_another(server->port(), request, method);
    }
}
