// Malformed requests get the status runserver would answer, Connection:
// close, and the server goes on serving the next client.
#include "catch.hpp"
#include "stage1_server.hpp"

using namespace webstack::testing;

TEST_CASE("malformed requests get their status and the next client is served", "[stage1]") {
    auto server = start_stage1();
    const int port = server->port();
    const std::string host = "Host: x\r\n";
    // runserver's table (Python's http.server plus Django): see error_status.hpp.
    const std::vector<std::pair<std::string, int>> cases = {
        {"GARBAGE\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\n\r\n", 400},  // no Host
        {"GET /" + std::string(70000, 'a') + " HTTP/1.1\r\n" + host + "\r\n", 414},
        {"GET / HTTP/1.1\r\n" + host + "X-Big: " + std::string(70000, 'b') + "\r\n\r\n", 431},
        {[&] {
             std::string request = "GET / HTTP/1.1\r\n" + host;
             for (int i = 0; i < 101; ++i) request += "X-" + std::to_string(i) + ": 1\r\n";
             return request + "\r\n";
         }(),
         431},
        {"GET / HTTP/2.0\r\n" + host + "\r\n", 505},
        {"POST /echo HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\n", 501},
        {"POST /echo HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        {"POST /echo HTTP/1.1\r\n" + host + "Content-Length: 3000000\r\n\r\n", 400},
        {"POST /echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        {"GET / HTTP/1.1\r\n" + host + "X: a\r\n folded\r\n\r\n", 400},
    };
    for (const auto& [request, status] : cases) {
        RawClient bad(port);
        const auto response = bad.exchange(request);
        INFO(bad.transcript());
        REQUIRE(response);
        CHECK(response->status == status);
        CHECK(response->headers.get("Connection") == "close");
        CHECK(bad.wait_for_close(3s));

        RawClient good(port);
        const auto ok = good.exchange(get("/"));
        INFO(good.transcript());
        REQUIRE(ok);
        CHECK(ok->status == 200);
    }
    CHECK(server->running());
}

TEST_CASE("a malformed request after a good one on the same connection", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    client.send(get("/") + "NOT A REQUEST\r\n\r\n" + get("/never-answered"));
    const auto first = client.read_response();
    const auto second = client.read_response();
    INFO(client.transcript());
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->status == 200);
    CHECK(second->status == 400);
    // After a framing error nobody knows where the next request starts.
    CHECK(client.wait_for_close(3s));
    CHECK(client.transcript().find("never-answered") != std::string::npos);
}

TEST_CASE("targets the router refuses get 400 and keep the connection", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    for (std::string target : {"/%zz", "/../etc/passwd", "/a%00b"}) {
        const auto response = client.exchange(get(target));
        INFO(client.transcript());
        REQUIRE(response);
        CHECK(response->status == 400);
    }
    CHECK(client.answer(get("/")).status == 200);
}

TEST_CASE("a client that closes halfway through a request does not hurt the server", "[stage1]") {
    auto server = start_stage1();
    {
        RawClient quitter(server->port());
        quitter.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part");
    }
    {
        RawClient reset(server->port());
        reset.send(get("/slow?seconds=1"));  // leaves before the answer: the write fails
    }
    RawClient next(server->port());
    const auto response = next.exchange(get("/"), 5s);
    INFO(next.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
}
