// Proxying: what reaches the upstream, and what comes back to the client.
#include "catch.hpp"
#include "scripted_upstream.hpp"
#include "stage4_proxy.hpp"

using namespace webstack::testing;

namespace {
// The head of the one request the upstream received, or "" if none came.
std::string received_head(const ScriptedUpstream& upstream) {
    if (!upstream.wait_for_requests(1)) return "";
    const auto raw = upstream.requests().front();
    return raw.substr(0, raw.find("\r\n\r\n") + 2);
}

bool has_line(const std::string& head, const std::string& line) {
    return head.find("\r\n" + line + "\r\n") != std::string::npos || head.starts_with(line + "\r\n");
}

bool has_header_named(const std::string& head, const std::string& name) {
    return head.find("\r\n" + name + ":") != std::string::npos;
}
}  // namespace

TEST_CASE("location matching: exact first, then the longest prefix", "[stage4]") {
    ScriptedUpstream api(ScriptedUpstream::ok("api"));
    ScriptedUpstream site(ScriptedUpstream::ok("site"));
    auto proxy = start_stage4("server {\n listen 127.0.0.1:0;\n"
                              " location = /exact { return 200 \"exact\"; }\n"
                              " location /api/ { proxy_pass http://127.0.0.1:" + std::to_string(api.port()) + "/v1/; }\n"
                              " location / { proxy_pass http://127.0.0.1:" + std::to_string(site.port()) + "; }\n}\n");
    RawClient client(proxy->port);
    CHECK(client.answer(get("/exact")).body == "exact");
    CHECK(client.answer(get("/exact/not")).body == "site");

    // With a URI in proxy_pass, it replaces the matched prefix.
    CHECK(client.answer(get("/api/users/7?full=1")).body == "api");
    CHECK(received_head(api).starts_with("GET /v1/users/7?full=1 HTTP/1.1\r\n"));
    // Without one, the target goes as the client sent it.
    RawClient other(proxy->port);
    CHECK(other.answer(get("/a/../b%20c?x=%41")).body == "site");
    REQUIRE(site.wait_for_requests(2));
    CHECK(site.requests()[1].starts_with("GET /a/../b%20c?x=%41 HTTP/1.1\r\n"));

    // "/api" without the slash: nginx's 301 to "/api/", made absolute
    // (absolute_redirect on, nginx's default: scheme, $host and our port).
    const auto redirect = client.exchange(get("/api?q=1"));
    INFO(client.transcript());
    REQUIRE(redirect);
    CHECK(redirect->status == 301);
    CHECK(redirect->headers.get("Location") == "http://127.0.0.1:" + std::to_string(proxy->port) + "/api/?q=1");
    CHECK(api.requests().size() == 1);
}

TEST_CASE("server_name picks the server block, else the default server", "[stage4]") {
    auto proxy = start_stage4("server { listen 127.0.0.1:0; server_name one.test; return 200 \"one\"; }\n");
    // Two server blocks on one address need a fixed port: take the one the
    // first proxy got, after stopping it.
    const int port = proxy->port;
    proxy.reset();
    auto both = std::make_unique<Stage4>();
    const auto config = both->folder.write(
        "nginx.conf", nginx_conf("server { listen 127.0.0.1:" + std::to_string(port) +
                                 "; server_name one.test; return 200 \"one\"; }\n"
                                 "server { listen 127.0.0.1:" + std::to_string(port) +
                                 " default_server; server_name two.test; return 200 \"two\"; }\n"));
    both->process = std::make_unique<ServerProcess>(binary("stage4-reverse-proxy"), std::vector<std::string>{"-c", config});
    REQUIRE(both->process->port() == port);
    RawClient client(port);
    CHECK(client.answer("GET / HTTP/1.1\r\nHost: one.test\r\n\r\n").body == "one");
    CHECK(client.answer("GET / HTTP/1.1\r\nHost: TWO.test:8080\r\n\r\n").body == "two");
    CHECK(client.answer("GET / HTTP/1.1\r\nHost: other.test\r\n\r\n").body == "two");  // default_server
}

TEST_CASE("request headers: Host, X-Forwarded-For, hop-by-hop and underscores", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("ok"));
    auto proxy = start_stage4(proxy_site(upstream.port(),
                                         "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                                         "proxy_set_header X-Real-Host $host;\n"
                                         "proxy_set_header X-Empty \"\";\n"));
    RawClient client(proxy->port);
    const auto response = client.exchange(
        "GET /page HTTP/1.1\r\nHost: Example.COM:8080\r\nX-Forwarded-For: 10.0.0.1\r\n"
        "Connection: keep-alive, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
        "Upgrade: websocket\r\nProxy-Authorization: Basic eA==\r\nX_Forwarded_For: 6.6.6.6\r\n"
        "X-Empty: client\r\nAccept: */*\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    const auto head = received_head(upstream);
    INFO(head);
    CHECK(has_line(head, "Host: 127.0.0.1:" + std::to_string(upstream.port())));  // $proxy_host
    CHECK(has_line(head, "X-Forwarded-For: 10.0.0.1, 127.0.0.1"));
    CHECK(has_line(head, "X-Real-Host: example.com"));
    CHECK(has_line(head, "Accept: */*"));
    for (const auto* name : {"Connection", "X-Secret", "Keep-Alive", "TE", "Upgrade", "Proxy-Authorization",
                             "X_Forwarded_For", "X-Empty"})
        CHECK_FALSE(has_header_named(head, name));
}

TEST_CASE("underscores_in_headers on lets them through", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("ok"));
    auto proxy = start_stage4("underscores_in_headers on;\n" + proxy_site(upstream.port()));
    RawClient client(proxy->port);
    REQUIRE(client.exchange(get("/", "X_Custom: yes\r\n")));
    CHECK(has_line(received_head(upstream), "X_Custom: yes"));
}

TEST_CASE("proxy_set_header: a level with any inherits none", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("ok"));
    const std::string to = "http://127.0.0.1:" + std::to_string(upstream.port());
    auto proxy = start_stage4("proxy_set_header X-Outer outer;\n"
                              "server {\n listen 127.0.0.1:0;\n"
                              " location /inner/ { proxy_set_header X-Inner inner; proxy_pass " + to + "; }\n"
                              " location / { proxy_pass " + to + "; }\n}\n");
    RawClient client(proxy->port);
    REQUIRE(client.exchange(get("/inner/")));
    REQUIRE(upstream.wait_for_requests(1));
    REQUIRE(client.exchange(get("/other")));
    REQUIRE(upstream.wait_for_requests(2));
    const auto requests = upstream.requests();
    const auto inner = requests[0].find("/inner/") != std::string::npos ? requests[0] : requests[1];
    const auto other = requests[0].find("/inner/") != std::string::npos ? requests[1] : requests[0];
    INFO(inner << "\n" << other);
    CHECK(has_line(inner, "X-Inner: inner"));
    CHECK_FALSE(has_header_named(inner, "X-Outer"));
    CHECK(has_line(other, "X-Outer: outer"));
}

TEST_CASE("proxy_redirect rewrites Location and Refresh", "[stage4]") {
    // The upstream names itself by the address the proxy used for it:
    // what proxy_redirect default expects.
    ScriptedUpstream redirecting("");
    const std::string upstream_host = "127.0.0.1:" + std::to_string(redirecting.port());
    redirecting.set_response("HTTP/1.1 302 Found\r\nLocation: http://" + upstream_host +
                             "/v1/next\r\nRefresh: 5; url=http://" + upstream_host + "/v1/later\r\nContent-Length: 0\r\n\r\n");
    const std::string to = "http://127.0.0.1:" + std::to_string(redirecting.port());
    auto proxy = start_stage4("server {\n listen 127.0.0.1:0;\n"
                              " location /default/ { proxy_pass " + to + "/v1/; }\n"
                              " location /off/ { proxy_pass " + to + "/v1/; proxy_redirect off; }\n"
                              " location /custom/ { proxy_pass " + to + "/v1/; proxy_redirect http://$proxy_host/v1/ http://$host/c/; }\n"
                              // several rules, the first that matches wins; a regular expression with captures
                              " location /rules/ { proxy_pass " + to + "/v1/; proxy_redirect http://nowhere/ /x/;\n"
                              "   proxy_redirect ~*^HTTP://[^/]+/V1/(.*)$ /r/$1; proxy_redirect default; }\n}\n");
    RawClient client(proxy->port);
    // Each request is a new upstream connection to the same scripted server.
    auto response = client.exchange(get("/default/x"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 302);
    // nginx rewrites, then makes a relative Location absolute (absolute_redirect
    // on); what follows "url=" in Refresh stays as rewritten.
    CHECK(response->headers.get("Location") == "http://127.0.0.1:" + std::to_string(proxy->port) + "/default/next");
    CHECK(response->headers.get("Refresh") == "5; url=/default/later");
    response = client.exchange(get("/off/x"));
    CHECK(response->headers.get("Location") == "http://" + upstream_host + "/v1/next");
    response = client.exchange(get("/custom/x"));
    CHECK(response->headers.get("Location") == "http://127.0.0.1/c/next");
    response = client.exchange(get("/rules/x"));
    CHECK(response->headers.get("Location") == "http://127.0.0.1:" + std::to_string(proxy->port) + "/r/next");
    CHECK(response->headers.get("Refresh") == "5; url=/r/later");
}

TEST_CASE("response framing is redone for the client", "[stage4]") {
    SECTION("chunked from the upstream, chunked to an HTTP/1.1 client") {
        ScriptedUpstream upstream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: gunicorn\r\n\r\n"
                                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        auto proxy = start_stage4(proxy_site(upstream.port()));
        RawClient client(proxy->port);
        const auto response = client.exchange(get("/"));
        INFO(client.transcript());
        REQUIRE(response);
        CHECK(response->body == "hello world");
        CHECK(response->headers.get("Transfer-Encoding") == "chunked");
        CHECK(response->headers.get("Server") == "webstack");  // nginx hides the upstream's Server
        CHECK(client.answer(get("/")).body == "hello world");  // and the connection goes on
    }
    SECTION("close-delimited from the upstream") {
        ScriptedUpstream upstream("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close");
        auto proxy = start_stage4(proxy_site(upstream.port()));
        RawClient client(proxy->port);
        const auto response = client.exchange(get("/"));
        INFO(client.transcript());
        REQUIRE(response);
        CHECK(response->body == "until the close");
        CHECK(response->headers.get("Transfer-Encoding") == "chunked");
        RawClient old(proxy->port);
        const auto for_http10 = old.exchange("GET / HTTP/1.0\r\n\r\n");
        INFO(old.transcript());
        REQUIRE(for_http10);
        CHECK(for_http10->body == "until the close");
        CHECK_FALSE(for_http10->headers.get("Transfer-Encoding"));
        CHECK(old.wait_for_close());
    }
}

TEST_CASE("the upstream's head is read in proxy_buffer_size pieces, and a field larger is a 502", "[stage4]") {
    SECTION("a 3 KiB field within proxy_buffer_size arrives whole") {
        const std::string cookie(3000, 'c');
        ScriptedUpstream upstream(ScriptedUpstream::ok("fine", "X-Big: " + cookie + "\r\n"));
        auto proxy = start_stage4(proxy_site(upstream.port(), "    proxy_buffer_size 4k;"));
        RawClient client(proxy->port);
        const auto response = client.exchange(get("/"));
        INFO(client.transcript());
        REQUIRE(response);
        CHECK(response->status == 200);
        CHECK(response->headers.get("X-Big") == cookie);
        CHECK(response->body == "fine");
    }
    SECTION("a field over proxy_buffer_size, or a size of 0, is a 502") {
        const auto size = GENERATE(as<std::string>{}, "1k", "0");
        ScriptedUpstream upstream(ScriptedUpstream::ok("never", "X-Big: " + std::string(3000, 'c') + "\r\n"));
        auto proxy = start_stage4(proxy_site(upstream.port(), "    proxy_buffer_size " + size + ";"));
        RawClient client(proxy->port);
        const auto response = client.exchange(get("/"));
        INFO(size << "\n" << client.transcript());
        REQUIRE(response);
        CHECK(response->status == 502);
    }
}

TEST_CASE("request bodies reach the upstream, Content-Length or chunked", "[stage4]") {
    // It closes after each answer, and says so: a POST is never sent on a
    // connection the upstream may be closing (it could not be retried).
    ScriptedUpstream upstream(ScriptedUpstream::ok("stored", "Connection: close\r\n"));
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient client(proxy->port);
    REQUIRE(client.answer("POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world").body == "stored");
    REQUIRE(upstream.wait_for_requests(1));
    CHECK(upstream.requests()[0].find("Content-Length: 11\r\n") != std::string::npos);
    CHECK(upstream.requests()[0].ends_with("\r\n\r\nhello world"));

    RawClient chunked(proxy->port);
    REQUIRE(chunked.answer("POST /form HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").body == "stored");
    REQUIRE(upstream.wait_for_requests(2));
    const auto sent = upstream.requests()[1];
    INFO(sent);
    CHECK(sent.find("Content-Length: 11\r\n") != std::string::npos);  // nginx buffers it and counts it
    CHECK_FALSE(has_header_named(sent, "Transfer-Encoding"));
    CHECK(sent.ends_with("\r\n\r\nhello world"));
}

TEST_CASE("Expect: 100-continue is answered by the proxy", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("got it"));
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient client(proxy->port);
    const auto interim = client.exchange("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(interim);
    CHECK(interim->status == 100);
    const auto response = client.exchange("data");
    REQUIRE(response);
    CHECK(response->body == "got it");
    CHECK_FALSE(has_header_named(received_head(upstream), "Expect"));
}

TEST_CASE("client limits: 413, 414, 400 for large headers", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("should not see this"));
    auto proxy = start_stage4("large_client_header_buffers 4 1k;\n" +
                              proxy_site(upstream.port(), "client_max_body_size 10;\n"));
    RawClient big_body(proxy->port);
    const auto too_large = big_body.exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world");
    INFO(big_body.transcript());
    REQUIRE(too_large);
    CHECK(too_large->status == 413);
    CHECK(too_large->body.find("<title>413 Request Entity Too Large</title>") != std::string::npos);

    RawClient long_line(proxy->port);
    const auto uri_too_long = long_line.exchange(get("/" + std::string(2000, 'a')));
    INFO(long_line.transcript());
    REQUIRE(uri_too_long);
    CHECK(uri_too_long->status == 414);

    RawClient big_header(proxy->port);
    const auto header_too_large = big_header.exchange(get("/", "Cookie: " + std::string(2000, 'c') + "\r\n"));
    INFO(big_header.transcript());
    REQUIRE(header_too_large);
    CHECK(header_too_large->status == 400);
    CHECK(header_too_large->body.find("Request Header Or Cookie Too Large") != std::string::npos);
    CHECK(upstream.requests().empty());
}

TEST_CASE("a client too slow with its head is closed without a word, logged as 408", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("ok"));
    auto proxy = start_stage4(proxy_site(upstream.port(), "client_header_timeout 1s;\n"));
    RawClient client(proxy->port);
    const auto start = std::chrono::steady_clock::now();
    client.send("GET / HTTP/1.1\r\nHost: x\r\n");  // and never the blank line
    CHECK(client.wait_for_close(5s));
    const auto waited = std::chrono::steady_clock::now() - start;
    CHECK(waited >= 900ms);
    CHECK(waited < 3s);
    CHECK_FALSE(client.read_response("GET", 100ms));
    INFO(proxy->process->output());
    CHECK(proxy->process->wait_for_output("\" 408 0 "));
    CHECK(upstream.requests().empty());
}

TEST_CASE("ambiguous framing is refused with 400 and never reaches the upstream", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("should not see this"));
    auto proxy = start_stage4(proxy_site(upstream.port()));
    const std::vector<std::string> smuggling = {
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\rX-Bare-CR: 1\r\n\r\n",
        // llhttp 8.1 ends the head at CR LF CR and any byte; nginx answers 400
        "GET / HTTP/1.1\r\nHost: x\r\n\rX",
        "GET / HTTP/1.1\r\nHost: x\r\n\rGET /second HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXY0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n Folded: 1\r\n\r\n",
    };
    for (const auto& request : smuggling) {
        RawClient client(proxy->port);
        const auto response = client.exchange(request);
        INFO(client.transcript());
        REQUIRE(response);
        CHECK((response->status == 400 || response->status == 501));
        CHECK(client.wait_for_close());
    }
    CHECK(upstream.requests().empty());
}

TEST_CASE("a bare LF ends a line, as nginx reads it, and the upstream gets CRLF", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("ok"));
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient client(proxy->port);
    const auto response = client.exchange("POST /lf HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n"
                                          "5 ; ext = \"a b\"\nhello\n0\n\n");
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    REQUIRE(upstream.requests().size() == 1);
    const auto forwarded = upstream.requests().front();
    CHECK(forwarded.starts_with("POST /lf HTTP/1.1\r\n"));
    CHECK(forwarded.ends_with("\r\n\r\nhello"));
    CHECK(forwarded.find("Content-Length: 5\r\n") != std::string::npos);
}

TEST_CASE("an absolute-form target names the host: routed, $host and the upstream's origin form as nginx", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("ok"));
    const std::string to = "127.0.0.1:" + std::to_string(upstream.port());
    const std::string listen = "127.0.0.1:" + std::to_string(free_port());  // one port, two server blocks
    const auto server = [&](const std::string& name) {
        return "server { listen " + listen + "; server_name " + name + ";\n location / { proxy_set_header Host $host;"
               " proxy_set_header X-Hh $http_host; proxy_set_header X-Uri $request_uri;"
               " proxy_set_header X-Server " + name + "; proxy_pass http://" + to + "; } }\n";
    };
    auto proxy = start_stage4(server("h") + server("other.example"));
    for (const std::string scheme : {"http", "HTTP"}) {
        RawClient client(proxy->port);
        const auto response = client.exchange("GET " + scheme + "://Other.Example:8080/abs?q HTTP/1.1\r\nHost: h\r\n\r\n");
        INFO(client.transcript());
        REQUIRE(response);
        CHECK(response->status == 200);
    }
    RawClient bad(proxy->port);
    const auto refused = bad.exchange("GET http://a@b/x HTTP/1.1\r\nHost: h\r\n\r\n");
    REQUIRE(refused);
    CHECK(refused->status == 400);

    const auto requests = upstream.requests();
    REQUIRE(requests.size() == 2);
    for (const auto& forwarded : requests) {
        INFO(forwarded);
        CHECK(forwarded.starts_with("GET /abs?q HTTP/1.1\r\n"));
        CHECK(forwarded.find("Host: other.example\r\n") != std::string::npos);
        CHECK(forwarded.find("X-Hh: h\r\n") != std::string::npos);
        CHECK(forwarded.find("X-Uri: /abs?q\r\n") != std::string::npos);
        CHECK(forwarded.find("X-Server: other.example\r\n") != std::string::npos);
    }
}

TEST_CASE("access_log off in a location silences it", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("ok"));
    const std::string to = "http://127.0.0.1:" + std::to_string(upstream.port());
    auto proxy = start_stage4("server {\n listen 127.0.0.1:0;\n"
                              " location /quiet/ { access_log off; proxy_pass " + to + "; }\n"
                              " location / { proxy_pass " + to + "; }\n}\n");
    RawClient client(proxy->port);
    REQUIRE(client.exchange(get("/quiet/1")));
    REQUIRE(client.exchange(get("/loud/2")));
    CHECK(proxy->process->wait_for_output(R"("GET /loud/2 HTTP/1\.1" 200 2 "-" "-")"));
    CHECK(proxy->process->output().find("/quiet/1") == std::string::npos);
}

TEST_CASE("a body that stops arriving is closed after client_body_timeout, logged as 408", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("ok"));
    auto proxy = start_stage4(proxy_site(upstream.port(), "client_body_timeout 1s;\n"));
    RawClient client(proxy->port);
    client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    const auto start = std::chrono::steady_clock::now();
    CHECK(client.wait_for_close(5s));
    CHECK(std::chrono::steady_clock::now() - start < 3s);
    CHECK_FALSE(client.read_response("POST", 100ms));
    CHECK(proxy->process->wait_for_output(R"("POST /upload HTTP/1\.1" 408 0 )"));
}

TEST_CASE("a malformed chunked body is a 400", "[stage4]") {
    ScriptedUpstream upstream(ScriptedUpstream::ok("should not see this"));
    auto proxy = start_stage4(proxy_site(upstream.port()));
    RawClient client(proxy->port);
    const auto response =
        client.exchange("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 400);
    CHECK(upstream.requests().empty());
}
