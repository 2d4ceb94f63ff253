// What stage1 answers: the routes, HEAD, the request log.
#include "catch.hpp"
#include "stage1_server.hpp"

using namespace webstack::testing;

TEST_CASE("GET / answers the welcome page", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    const auto response = client.exchange(get("/"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->headers.get("Content-Type") == "text/html; charset=utf-8");
    CHECK(response->headers.get("Content-Length") == std::to_string(response->body.size()));
    CHECK(response->headers.contains("Date"));
    CHECK(response->headers.contains("Server"));
    CHECK_FALSE(response->headers.contains("Connection"));
    CHECK(response->body.find("stage1-devserver") != std::string::npos);
}

TEST_CASE("HEAD / sends the headers of GET and no body", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    const auto full = client.exchange(get("/"));
    const auto head = client.exchange("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    // A body after the HEAD response would be read as the start of this one.
    const auto after = client.exchange(get("/nope"));
    INFO(client.transcript());
    REQUIRE(full);
    REQUIRE(head);
    REQUIRE(after);
    CHECK(head->status == 200);
    CHECK(head->body.empty());
    CHECK(head->headers.get("Content-Length") == full->headers.get("Content-Length"));
    CHECK(after->status == 404);
}

TEST_CASE("an unknown path gets a 404 page that escapes the path", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    const auto response = client.exchange(get("/%3Cscript%3E"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 404);
    CHECK(response->body.find("&lt;script&gt;") != std::string::npos);
    CHECK(response->body.find("<script>") == std::string::npos);
}

TEST_CASE("/echo returns a request with a Content-Length body", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    const auto response = client.exchange(
        "POST /echo?a=1 HTTP/1.1\r\nHost: x\r\nX-Repeat: 1\r\nX-Repeat: 2\r\nContent-Length: 10\r\n\r\nname=value");
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body ==
          "POST /echo?a=1 HTTP/1.1\nHost: x\nX-Repeat: 1\nX-Repeat: 2\nContent-Length: 10\n\nname=value");
}

TEST_CASE("/echo returns a request with a chunked body and trailers", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    const auto response = client.exchange(
        "PUT /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body ==
          "PUT /echo HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\nhello world\nX-Checksum: 42");
}

TEST_CASE("/echo answers any method", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    for (std::string method : {"GET", "DELETE", "OPTIONS", "PATCH", "PROPFIND"}) {
        const auto response = client.exchange(method + " /echo HTTP/1.1\r\nHost: x\r\n\r\n");
        INFO(client.transcript());
        REQUIRE(response);
        CHECK(response->status == 200);
        CHECK(response->body.starts_with(method + " /echo HTTP/1.1\n"));
    }
}

TEST_CASE("POST to / is 405 with an Allow header", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    const auto response = client.exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 405);
    CHECK(response->headers.get("Allow") == "GET, HEAD");
}

TEST_CASE("/slow refuses a seconds value that is not a number", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    const auto response = client.exchange(get("/slow?seconds=soon"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 400);
    // A refused query is an answer, not a broken connection.
    CHECK(client.answer(get("/")).status == 200);
}

TEST_CASE("requests are logged the way runserver logs them", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    client.exchange(get("/"));
    client.exchange(get("/missing"));
    const auto banner = server->output();
    CHECK(banner.find("WARNING: This is a development server. Do not use it in a production setting.") !=
          std::string::npos);
    CHECK(server->wait_for_output(R"(\[\d\d/[A-Z][a-z]{2}/\d{4} \d\d:\d\d:\d\d\] "GET / HTTP/1.1" 200 \d+)"));
    CHECK(server->wait_for_output(R"("GET /missing HTTP/1.1" 404 \d+)"));
    // Not a terminal: no colour codes in the log.
    CHECK(server->output().find("\x1b[") == std::string::npos);
}

TEST_CASE("curl gets the page and posts a body with Expect: 100-continue without stalling", "[stage1][interop]") {
    skip_unless_installed("curl");
    auto server = start_stage1();
    const auto url = "http://127.0.0.1:" + std::to_string(server->port());
    const auto page = run_command({"curl", "-sS", "-i", url + "/"});
    INFO(page.output);
    CHECK(page.exit_status == 0);
    CHECK(page.output.starts_with("HTTP/1.1 200 OK"));

    // With "Expect: 100-continue" curl sends only the head and waits for
    // "100 Continue"; a server that never answers costs it a whole second
    // (curl sends the header by itself for bodies over 1 MiB).
    const std::string body(5000, 'x');
    const auto posted = run_command({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                                     "-H", "Expect: 100-continue", "--data-binary", body, url + "/echo"});
    INFO(posted.output);
    CHECK(posted.exit_status == 0);
    REQUIRE(posted.output.starts_with("200 "));
    CHECK(std::stod(posted.output.substr(4)) < 0.9);
}
