// Every environ key the server builds, checked on real requests.
#include "catch.hpp"
#include "stage2_server.hpp"

using namespace webstack::testing;

namespace {
std::map<std::string, std::string> environ_for(const std::string& request) {
    auto server = start_stage2("testing:dump_environ");
    RawClient client(server->port());
    const auto response = client.exchange(request);
    INFO(client.transcript());
    REQUIRE(response);
    REQUIRE(response->status == 200);
    return parse_dump(response->body);
}
}  // namespace

TEST_CASE("environ has the CGI keys of PEP 3333", "[stage2]") {
    auto server = start_stage2("testing:dump_environ");
    const int port = server->port();
    RawClient client(port);
    const auto response = client.exchange("GET /a%20b/c?x=1&y=%41 HTTP/1.1\r\nHost: example.com\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(response);
    const auto environ = parse_dump(response->body);
    CHECK(environ.at("REQUEST_METHOD") == "GET");
    CHECK(environ.at("SCRIPT_NAME") == "");
    CHECK(environ.at("PATH_INFO") == "/a b/c");       // decoded
    CHECK(environ.at("QUERY_STRING") == "x=1&y=%41");  // not decoded
    CHECK(environ.at("SERVER_NAME") == "127.0.0.1");
    CHECK(environ.at("SERVER_PORT") == std::to_string(port));
    CHECK(environ.at("SERVER_PROTOCOL") == "HTTP/1.1");
    CHECK(environ.at("REMOTE_ADDR") == "127.0.0.1");
    CHECK(std::stoi(environ.at("REMOTE_PORT")) > 0);
    CHECK(environ.at("HTTP_HOST") == "example.com");
    CHECK_FALSE(environ.contains("CONTENT_LENGTH"));
    CHECK_FALSE(environ.contains("CONTENT_TYPE"));
}

TEST_CASE("environ has the wsgi keys", "[stage2]") {
    const auto environ = environ_for(get("/"));
    CHECK(environ.at("wsgi.version") == "1.0");
    CHECK(environ.at("wsgi.url_scheme") == "http");
    CHECK(environ.at("wsgi.multithread") == "0");
    CHECK(environ.at("wsgi.multiprocess") == "0");
    CHECK(environ.at("wsgi.run_once") == "0");
    CHECK(environ.at("wsgi.input_terminated") == "1");
    CHECK(environ.at("wsgi.input") == "");
}

TEST_CASE("headers become HTTP_ keys with repeats joined and underscores dropped", "[stage2][ex.stage2.environ_headers]") {
    const auto environ = environ_for(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.0.0.1\r\nX_Forwarded_For: 6.6.6.6\r\n"
        "Accept: text/html\r\naccept: application/json\r\nUser-Agent: test\r\n\r\n");
    CHECK(environ.at("HTTP_X_FORWARDED_FOR") == "10.0.0.1");  // the underscore twin cannot overwrite it
    CHECK(environ.at("HTTP_ACCEPT") == "text/html,application/json");
    CHECK(environ.at("HTTP_USER_AGENT") == "test");
}

TEST_CASE("Content-Type and Content-Length appear only as CGI keys", "[stage2][ex.stage2.environ_headers]") {
    const auto environ = environ_for(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
    CHECK(environ.at("CONTENT_TYPE") == "application/json");
    CHECK(environ.at("CONTENT_LENGTH") == "7");
    CHECK_FALSE(environ.contains("HTTP_CONTENT_TYPE"));
    CHECK_FALSE(environ.contains("HTTP_CONTENT_LENGTH"));
    CHECK(environ.at("wsgi.input") == "{\"a\":1}");
    CHECK(environ.at("after end") == "[]");  // reading past the end gives ""
}

TEST_CASE("wsgi.input yields a chunked body decoded", "[stage2]") {
    const auto environ = environ_for(
        "PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n");
    CHECK(environ.at("wsgi.input") == "Wikipedia");
    CHECK(environ.at("REQUEST_METHOD") == "PUT");
    CHECK_FALSE(environ.contains("CONTENT_LENGTH"));
}

TEST_CASE("wsgi.input reads line by line", "[stage2]") {
    auto server = start_stage2("testing:read_lines");
    RawClient client(server->port());
    const auto response =
        client.exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\n\r\none\ntwo\n\nlast");
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->body == "[one\\n][two\\n][\\n][last]");
}

TEST_CASE("HTTP/1.0 requests say so in SERVER_PROTOCOL", "[stage2]") {
    const auto environ = environ_for("GET / HTTP/1.0\r\n\r\n");
    CHECK(environ.at("SERVER_PROTOCOL") == "HTTP/1.0");
    CHECK_FALSE(environ.contains("HTTP_HOST"));
}

TEST_CASE("a path that cannot be decoded is refused before the app runs", "[stage2]") {
    auto server = start_stage2("testing:dump_environ");
    RawClient client(server->port());
    for (std::string target : {"/a%00b", "/a%zz"}) {
        const auto response = client.exchange(get(target));
        INFO(client.transcript());
        REQUIRE(response);
        CHECK(response->status == 400);
    }
}
