// The example apps, served over real sockets.
#include "catch.hpp"
#include "stage2_server.hpp"

using namespace webstack::testing;

TEST_CASE("hello_world answers the seed article's text", "[stage2]") {
    auto server = start_stage2("hello_world:process_http_request");
    RawClient client(server->port());
    const auto response = client.exchange(get("/anything"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->headers.get("Content-Type") == "text/plain; charset=utf-8");
    CHECK(response->body == "Hello World");
    CHECK(server->wait_for_output(R"("GET /anything HTTP/1.1" 200 11)"));
}

TEST_CASE("the environ app shows the request as an escaped HTML table", "[stage2]") {
    auto server = start_stage2("environ:application");
    RawClient client(server->port());
    const auto response =
        client.exchange("POST /some/path?x=1 HTTP/1.1\r\nHost: x\r\nX-Custom: <b>\r\nContent-Length: 3\r\n\r\na=1");
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body.find("<th>PATH_INFO</th><td><code>/some/path</code>") != std::string::npos);
    CHECK(response->body.find("<th>HTTP_X_CUSTOM</th><td><code>&lt;b&gt;</code>") != std::string::npos);
    CHECK(response->body.find("<th>wsgi.input</th><td><code>a=1</code>") != std::string::npos);
}

TEST_CASE("the lifecycle site routes and reads its form from wsgi.input", "[stage2]") {
    auto server = start_stage2("lifecycle:application");
    RawClient client(server->port());
    const auto home = client.exchange(get("/"));
    const auto article = client.exchange(get("/articles/2/"));
    const auto missing = client.exchange(get("/articles/99/"));
    const auto form = client.exchange(get("/contact/"));
    const auto posted = client.exchange(
        "POST /contact/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 40\r\n\r\nname=%3Cscript%3EAnn&message=hello+there");
    const auto boom = client.exchange(get("/boom/"));
    INFO(client.transcript());
    REQUIRE(home);
    CHECK(home->body.find("href=\"/articles/1/\"") != std::string::npos);
    CHECK(home->body.find("/static/css/site.css") != std::string::npos);
    CHECK(home->headers.get("X-Content-Type-Options") == "nosniff");  // framework middleware
    REQUIRE(article);
    CHECK(article->body.find("<h1>What the heck is WSGI</h1>") != std::string::npos);
    REQUIRE(missing);
    CHECK(missing->status == 404);
    REQUIRE(form);
    CHECK(form->body.find("<form method=\"post\"") != std::string::npos);
    REQUIRE(posted);
    CHECK(posted->body.find("Thank you, &lt;script&gt;Ann") != std::string::npos);
    CHECK(posted->body.find("You wrote: hello there") != std::string::npos);
    REQUIRE(boom);
    CHECK(boom->status == 500);  // the exceptions_to_500 middleware, through exc_info
    CHECK(boom->body.find("Server Error (500)") != std::string::npos);
    CHECK(server->wait_for_output(R"(exceptions_to_500: the application raised \(this view is broken on purpose\))"));
    CHECK(server->wait_for_output(R"(request_logger: POST /contact/ -> 200 OK)"));
}
