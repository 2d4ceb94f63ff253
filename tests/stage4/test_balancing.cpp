// Several app servers behind one proxy: who gets what, and what happens
// when one of them is down.
#include "catch.hpp"
#include "scripted_upstream.hpp"
#include "stage4_proxy.hpp"

#include <future>

using namespace webstack::testing;

namespace {
std::string server_line(const ScriptedUpstream& upstream, const std::string& parameters = "") {
    return "    server 127.0.0.1:" + std::to_string(upstream.port()) + " " + parameters + ";\n";
}

std::string group(const std::string& servers, const std::string& extra_location = "") {
    return "upstream app {\n" + servers + "}\n"
           "server { listen 127.0.0.1:0; location / { " + extra_location + " proxy_pass http://app; } }\n";
}

std::string body_of(int port, const std::string& request) {
    RawClient client(port);
    auto response = client.exchange(request, 10s);
    return response ? std::to_string(response->status) + " " + response->body : "no response";
}
}  // namespace

TEST_CASE("weighted round robin shares requests by weight", "[stage4]") {
    ScriptedUpstream a(ScriptedUpstream::ok("a"), ScriptedUpstream::Behaviour::KeepAlive);
    ScriptedUpstream b(ScriptedUpstream::ok("b"), ScriptedUpstream::Behaviour::KeepAlive);
    auto proxy = start_stage4(group(server_line(a, "weight=3") + server_line(b)));
    std::string order;
    for (int i = 0; i < 8; ++i) order += body_of(proxy->port, get("/")).substr(4);
    CHECK(std::count(order.begin(), order.end(), 'a') == 6);
    CHECK(std::count(order.begin(), order.end(), 'b') == 2);
    CHECK(order.find("aaaa") == std::string::npos);  // smooth: b is spread out, not left to the end
}

TEST_CASE("least_conn sends to the server with fewer requests in flight", "[stage4]") {
    ScriptedUpstream a(ScriptedUpstream::ok("a"), ScriptedUpstream::Behaviour::RespondSlowly, 1500ms);
    ScriptedUpstream b(ScriptedUpstream::ok("b"), ScriptedUpstream::Behaviour::RespondSlowly, 1500ms);
    auto proxy = start_stage4("upstream app {\n    least_conn;\n" + server_line(a, "weight=5") + server_line(b) +
                              "}\nserver { listen 127.0.0.1:0; location / { proxy_pass http://app; } }\n");
    auto first = std::async(std::launch::async, [&] { return body_of(proxy->port, get("/1")); });
    REQUIRE(a.wait_for_requests(1));  // the heavier server takes the first
    // Round robin would give the heavier server this one too; least_conn
    // sees one request in flight there and none on b.
    CHECK(body_of(proxy->port, get("/2")) == "200 b");
    CHECK(first.get() == "200 a");
}

TEST_CASE("a dead server is skipped, and left alone for fail_timeout", "[stage4]") {
    ScriptedUpstream live(ScriptedUpstream::ok("live"), ScriptedUpstream::Behaviour::KeepAlive);
    const int dead = free_port();
    auto proxy = start_stage4(group("    server 127.0.0.1:" + std::to_string(dead) + ";\n" + server_line(live)),
                              "error_log stderr warn;\n");
    for (int i = 0; i < 6; ++i) CHECK(body_of(proxy->port, get("/")) == "200 live");
    // max_fails=1 (the default): one failure, then 10 s of rest.
    CHECK(proxy->process->wait_for_occurrences("connect() failed (111: Connection refused)", 1));
    // nginx's warning after it (at level warn, below the default error), with the same phase and request.
    CHECK(proxy->process->wait_for_output(
        R"(\[warn\] \d+#0: upstream server temporarily disabled while connecting to upstream, client: 127\.0\.0\.1)"));
    CHECK_FALSE(proxy->process->wait_for_occurrences("connect() failed (111: Connection refused)", 2, 300ms));
}

TEST_CASE("backup servers answer only when the others are down", "[stage4]") {
    ScriptedUpstream primary(ScriptedUpstream::ok("primary"), ScriptedUpstream::Behaviour::KeepAlive);
    ScriptedUpstream backup(ScriptedUpstream::ok("backup"), ScriptedUpstream::Behaviour::KeepAlive);
    auto proxy = start_stage4(group(server_line(primary) + server_line(backup, "backup")));
    for (int i = 0; i < 3; ++i) CHECK(body_of(proxy->port, get("/")) == "200 primary");
    CHECK(backup.connections() == 0);

    auto without_primary = start_stage4(group("    server 127.0.0.1:" + std::to_string(free_port()) + ";\n" +
                                              server_line(backup, "backup")));
    CHECK(body_of(without_primary->port, get("/")) == "200 backup");
}

TEST_CASE("proxy_next_upstream: a GET goes to the next server, a sent POST does not", "[stage4]") {
    ScriptedUpstream broken("", ScriptedUpstream::Behaviour::CloseAtOnce);
    ScriptedUpstream good(ScriptedUpstream::ok("good"), ScriptedUpstream::Behaviour::KeepAlive);
    // The heavy weight makes the broken server the first choice.
    auto proxy = start_stage4(group(server_line(broken, "weight=10 max_fails=0") + server_line(good)));
    CHECK(body_of(proxy->port, get("/")) == "200 good");
    const auto post = body_of(proxy->port, "POST /pay HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n100");
    CHECK(post.starts_with("502 "));
    CHECK(broken.wait_for_requests(2));
    for (const auto& request : good.requests()) CHECK_FALSE(request.starts_with("POST"));
}

TEST_CASE("proxy_next_upstream http_502, and the last answer when every server fails", "[stage4]") {
    const std::string bad_gateway = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 9\r\n\r\nupstream!";
    ScriptedUpstream failing(bad_gateway, ScriptedUpstream::Behaviour::KeepAlive);
    ScriptedUpstream good(ScriptedUpstream::ok("good"), ScriptedUpstream::Behaviour::KeepAlive);
    auto retrying = start_stage4(group(server_line(failing, "weight=10 max_fails=0") + server_line(good),
                                       "proxy_next_upstream error timeout http_502;"));
    CHECK(body_of(retrying->port, get("/")) == "200 good");

    // http_502 alone (without "error"): nginx retries on it all the same.
    auto only_status = start_stage4(group(server_line(failing, "weight=10 max_fails=0") + server_line(good),
                                          "proxy_next_upstream http_502;"));
    CHECK(body_of(only_status->port, get("/")) == "200 good");

    auto passing = start_stage4(group(server_line(failing, "weight=10 max_fails=0") + server_line(good)));
    CHECK(body_of(passing->port, get("/")) == "502 upstream!");  // http_502 not listed: the answer goes through

    ScriptedUpstream also_failing(bad_gateway, ScriptedUpstream::Behaviour::KeepAlive);
    auto all_bad = start_stage4(group(server_line(failing, "max_fails=0") + server_line(also_failing, "max_fails=0"),
                                      "proxy_next_upstream error timeout http_502;"));
    CHECK(body_of(all_bad->port, get("/")) == "502 upstream!");  // the last server's own answer
}

TEST_CASE("a group of one server is never left alone", "[stage4]") {
    const int dead = free_port();
    auto proxy = start_stage4(group("    server 127.0.0.1:" + std::to_string(dead) + ";\n"));
    CHECK(body_of(proxy->port, get("/")).starts_with("502 "));
    CHECK(body_of(proxy->port, get("/")).starts_with("502 "));
    // Both requests tried the server: nothing else could answer, so it is never marked down.
    CHECK(proxy->process->wait_for_occurrences("connect() failed (111: Connection refused)", 2));
    CHECK(proxy->process->output().find("no live upstreams") == std::string::npos);
}

TEST_CASE("proxy_next_upstream_tries bounds the tries", "[stage4]") {
    ScriptedUpstream good(ScriptedUpstream::ok("good"), ScriptedUpstream::Behaviour::KeepAlive);
    const std::string dead = "    server 127.0.0.1:" + std::to_string(free_port()) + " weight=10;\n";
    auto proxy = start_stage4(group(dead + server_line(good), "proxy_next_upstream_tries 1;"));
    CHECK(body_of(proxy->port, get("/")).starts_with("502 "));  // one try, on the dead server
    CHECK(body_of(proxy->port, get("/")) == "200 good");        // which is now resting
}
