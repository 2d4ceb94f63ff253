// The proxy's pure parts in-process, as specifications: each case names
// what it asks and what nginx answers, and a failing check prints it.
// Routing (which server, which location, the 301 for a missing slash), the
// body buffer (memory, then a temporary file), the request head the
// upstream gets (Host, Connection, proxy_set_header, hop-by-hop headers).
#include "catch.hpp"
#include "config/directive_table.hpp"
#include "proxy/body_buffer.hpp"
#include "proxy/responses.hpp"
#include "proxy/routing.hpp"
#include "stage4_proxy.hpp"

using namespace webstack::stage4;
using webstack::testing::ConfigFolder;

namespace {
struct Loaded {
    ConfigFolder folder;
    Config config;
};

std::unique_ptr<Loaded> load(const std::string& http_contents) {
    auto loaded = std::make_unique<Loaded>();
    const auto file = loaded->folder.write("nginx.conf", "events {}\nhttp {\n" + http_contents + "\n}\n");
    loaded->config = load_config(file);
    return loaded;
}

webstack::http::Request request(const std::string& target, webstack::http::HeaderList headers = {}) {
    webstack::http::Request result;
    result.method = "GET";
    result.target = target;
    result.version = {1, 1};
    result.headers = std::move(headers);
    return result;
}

std::string prefix_of(const Location* location) {
    if (!location) return "(none)";
    const std::string modifier = location->exact ? "= " : location->no_regex ? "^~ " : !location->regex ? ""
                                 : "~ ";
    return modifier + location->prefix;
}
}  // namespace

TEST_CASE("routing: the server by Host, else the default server", "[stage4]") {
    const auto loaded = load("server { listen 127.0.0.1:8080; server_name one.test; }\n"
                             "server { listen 127.0.0.1:8080 default_server; server_name two.test www.two.test; }\n");
    const auto groups = group_by_listen_address(loaded->config);
    REQUIRE(groups.size() == 1);
    const auto& servers = loaded->config.servers;
    const std::vector<std::pair<std::string, const Server*>> cases = {
        {"one.test", &servers[0]},
        {"www.two.test", &servers[1]},
        {"elsewhere.test", &servers[1]},  // the default_server
    };
    for (const auto& [host, expected] : cases) {
        INFO("Host: " << host);
        CHECK(&choose_server(groups[0], host) == expected);
    }
    CHECK(&choose_server(groups[0], "") == &servers[1]);  // no Host, and no server has the name ""
}

TEST_CASE("routing: server names in nginx's order: exact, *.start, end.*, then regular expressions", "[stage4]") {
    if (!have_regular_expressions()) return;  // built without PCRE2: -t refuses these configs (tested elsewhere)
    const auto loaded = load("server { listen 127.0.0.1:8080; server_name first.test; }\n"
                             "server { listen 127.0.0.1:8080; server_name ~^(?<user>[a-z]+)\\.users\\.test$ www.a.test; }\n"
                             "server { listen 127.0.0.1:8080; server_name *.a.test; }\n"
                             "server { listen 127.0.0.1:8080; server_name *.b.a.test .dot.test; }\n"
                             "server { listen 127.0.0.1:8080; server_name www.*; }\n"
                             "server { listen 127.0.0.1:8080; server_name ~^www\\. ~. www.b.*; }\n"
                             "server { listen 127.0.0.1:8080; }\n");
    const auto groups = group_by_listen_address(loaded->config);
    const auto& servers = loaded->config.servers;
    const std::vector<std::pair<std::string, const Server*>> cases = {
        {"www.a.test", &servers[1]},     // exact beats *.a.test
        {"x.a.test", &servers[2]},       // *.a.test
        {"x.b.a.test", &servers[3]},     // the longest wildcard at the start
        {"dot.test", &servers[3]},       // .dot.test is dot.test too...
        {"x.dot.test", &servers[3]},     // ...and *.dot.test
        {"www.example", &servers[4]},    // www.*, before any regular expression
        {"www.b.example", &servers[5]},  // the longest at the end
        {"ann.users.test", &servers[1]}, // the first regular expression written
        {"other", &servers[5]},          // ~. matches anything
        {"", &servers[6]},               // no Host: the server without server_name
    };
    for (const auto& [host, expected] : cases) {
        INFO("host: " << host);
        CHECK(&choose_server(groups[0], host) == expected);
    }
    webstack::stage4::Captures captures;
    choose_server(groups[0], "ann.users.test", &captures);
    CHECK(captures.named["user"] == "ann");
    CHECK(loaded->config.servers[3].server_names[1].key == ".dot.test");
}

TEST_CASE("routing: a server_name with a * elsewhere is refused, as nginx refuses it", "[stage4]") {
    for (const auto bad : {"www.*.test", "*example.com", "w*", "."}) {
        INFO(bad);
        CHECK_THROWS_WITH(load(std::string("server { listen 127.0.0.1:8080; server_name ") + bad + "; }\n"),
                          Catch::Matchers::Contains("invalid server name or wildcard"));
    }
}

TEST_CASE("routing: an exact location first, else the longest prefix, never a named one", "[stage4][ex.stage4.location]") {
    const auto loaded = load("server { listen 127.0.0.1:8080;\n"
                             "  location / { return 200; }\n"
                             "  location /api/ { proxy_pass http://127.0.0.1:9000; }\n"
                             "  location /api/v2/ { proxy_pass http://127.0.0.1:9001/; }\n"
                             "  location = /api/ { return 204; }\n"
                             "  location @app { proxy_pass http://127.0.0.1:9000; }\n}");
    const auto& server = loaded->config.servers.at(0);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/", "/"},
        {"/about/", "/"},
        {"/api/", "= /api/"},       // exact beats the prefix of the same text
        {"/api/users", "/api/"},
        {"/api/v2/users", "/api/v2/"},  // the longest prefix
        {"/@app", "/"},             // a named location is no path
    };
    for (const auto& [path, expected] : cases) {
        INFO("path " << path << " -> location " << expected);
        CHECK(prefix_of(choose_location(server, path)) == expected);
    }
    CHECK(find_named_location(server, "@app") != nullptr);
    // A server without "/": a path no prefix matches gets no location (404), never the named one.
    const auto other = load("server { listen 127.0.0.1:8080; location /api/ { return 200; } location @app { return 204; } }");
    CHECK(choose_location(other->config.servers.at(0), "/other") == nullptr);
    CHECK(prefix_of(choose_location(other->config.servers.at(0), "/api/x")) == "/api/");
    // "/api" (no slash) for a proxied "/api/": nginx answers 301 to "/api/".
    CHECK(needs_trailing_slash_redirect(server, "/api"));
    CHECK_FALSE(needs_trailing_slash_redirect(server, "/about"));  // "/" proxies nothing
    // With a URI in proxy_pass, it replaces the matched prefix; without, the target goes as sent.
    CHECK(upstream_target(*choose_location(server, "/api/v2/x"), request("/api/v2/x?y=1")) == "/x?y=1");
    CHECK(upstream_target(*choose_location(server, "/api/x"), request("/api/x?y=1")) == "/api/x?y=1");
}

TEST_CASE("routing: nginx's order with ^~, regular expressions and nested locations", "[stage4][ex.stage4.location]") {
    if (!have_regular_expressions()) return;  // built without PCRE2: -t refuses these configs (tested elsewhere)
    const auto loaded = load("server { listen 127.0.0.1:8080;\n"
                             "  location / { return 200; }\n"
                             "  location ^~ /media/ { return 200; }\n"
                             "  location ~ /media/private { return 403; }\n"
                             "  location ~* \\.(png|jpg)$ { return 200; }\n"
                             "  location ~ \\.png$ { return 200; }\n"
                             "  location /static/ {\n"
                             "    location ~ \\.css$ { return 200; }\n"
                             "    location /static/admin/ { return 200; }\n"
                             "  }\n"
                             "  location ~ ^/user/(?<name>[a-z]+)/(\\d+)$ { return 200; }\n}");
    const auto& server = loaded->config.servers.at(0);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/a.PNG", "~ \\.(png|jpg)$"},          // ~*: no case; the first regex written wins over the second
        {"/media/a.png", "^~ /media/"},          // ^~: the longest prefix, and no regex is tried
        {"/media/private/x", "^~ /media/"},      // a regex's text is no prefix
        {"/static/site.css", "~ \\.css$"},       // the nested regex, inside the longest prefix
        {"/static/admin/x.png", "~* \\.(png|jpg)$"},  // the nested prefix loses to a regex further out
        {"/static/admin/x", "/static/admin/"},   // no regex matches: the (nested) longest prefix
        {"/other", "/"},
    };
    for (const auto& [path, expected] : cases) {
        INFO("path " << path << " -> location " << expected);
        auto got = prefix_of(choose_location(server, path));
        if (expected.starts_with("~* ")) CHECK(got == "~ " + expected.substr(3));
        else CHECK(got == expected);
    }
    Captures captures;
    REQUIRE(choose_location(server, "/user/ann/42", &captures) != nullptr);
    CHECK(captures.named.at("name") == "ann");
    REQUIRE(captures.numbered.size() == 3);
    CHECK(captures.numbered[2] == "42");
}

TEST_CASE("body buffer: memory first, then a temporary file, read back whole", "[stage4]") {
    BodyBuffer buffer(8);  // 8 bytes in memory
    REQUIRE(buffer.append("hello"));
    CHECK(buffer.whole_in_memory() == std::optional<std::string_view>("hello"));
    REQUIRE(buffer.append(", world!"));  // 13 bytes: 5 more than memory holds
    CHECK(buffer.size() == 13);
    CHECK_FALSE(buffer.whole_in_memory());  // part of it is in the file now
    std::string whole, piece;
    while (buffer.read_next(piece, 4)) whole += piece;
    CHECK(whole == "hello, world!");
    CHECK(buffer.unread() == 0);
    buffer.rewind();  // a second try sends it again
    REQUIRE(buffer.read_next(piece, 100));
    CHECK(piece == "hello, w");  // up to the end of memory, then the file
    REQUIRE(buffer.read_next(piece, 100));
    CHECK(piece == "orld!");
}

TEST_CASE("the upstream's request head: Host, Connection, proxy_set_header, hop-by-hop", "[stage4][ex.stage4.upstream_head]") {
    const auto loaded = load("server { listen 127.0.0.1:8080;\n"
                             "  location / { proxy_pass http://127.0.0.1:9000;\n"
                             "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                             "    proxy_set_header X-Empty \"\"; }\n}");
    const auto& location = loaded->config.servers.at(0).locations.at(0);
    webstack::http::HeaderList headers;
    headers.add("Host", "example.test");
    headers.add("Connection", "keep-alive, X-Secret");
    headers.add("X-Secret", "only for the proxy");
    headers.add("Keep-Alive", "timeout=5");
    headers.add("X-Forwarded-For", "10.0.0.1");
    headers.add("X_Underscored", "dropped");
    headers.add("X-Empty", "replaced by nothing");
    headers.add("Accept", "text/html");
    headers.add("Content-Length", "5");  // the proxy frames the body itself
    headers.add("Expect", "100-continue");  // the proxy answered it already
    headers.add("Cookie", "a=1");
    headers.add("Cookie", "b=2");  // sent twice, goes twice
    const auto asked = request("/page", headers);
    RequestContext context;
    context.request = &asked;
    context.connection.remote_host = "192.0.2.7";
    context.proxy_host = "127.0.0.1:9000";

    const auto head = upstream_request_head(asked, location, context, std::nullopt, true);
    INFO(head);
    CHECK(head.starts_with("GET /page HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n"));  // $proxy_host, not the client's Host
    CHECK(head.find("Connection:") == std::string::npos);  // a kept connection says nothing
    CHECK(head.find("X-Forwarded-For: 10.0.0.1, 192.0.2.7\r\n") != std::string::npos);
    CHECK(head.find("X-Secret") == std::string::npos);    // named by Connection: hop-by-hop
    CHECK(head.find("Keep-Alive") == std::string::npos);
    CHECK(head.find("X_Underscored") == std::string::npos);  // underscores_in_headers off
    CHECK(head.find("X-Empty") == std::string::npos);     // set to "": not sent
    CHECK(head.find("Accept: text/html\r\n") != std::string::npos);
    CHECK(head.find("example.test") == std::string::npos);  // the client's Host is replaced, not repeated
    CHECK(head.find("X-Forwarded-For: 10.0.0.1\r\n") == std::string::npos);  // replaced by proxy_set_header
    CHECK(head.find("Content-Length") == std::string::npos);  // no body here: none
    CHECK(head.find("Expect") == std::string::npos);
    CHECK(head.find("Cookie: a=1\r\nCookie: b=2\r\n") != std::string::npos);
    CHECK(head.ends_with("\r\n\r\n"));

    const auto closing = upstream_request_head(asked, location, context, 5, false);
    CHECK(closing.find("Connection: close\r\n") != std::string::npos);  // keepalive 0
    CHECK(closing.find("Content-Length: 5\r\n") != std::string::npos);
    CHECK(closing.find("Content-Length") == closing.rfind("Content-Length"));  // once

    // underscores_in_headers on: names with "_" pass too.
    const auto lenient = load("underscores_in_headers on;\nserver { listen 127.0.0.1:8080;\n"
                              "  location / { proxy_pass http://127.0.0.1:9000; }\n}");
    const auto open_head = upstream_request_head(asked, lenient->config.servers.at(0).locations.at(0), context,
                                                 std::nullopt, true);
    INFO(open_head);
    CHECK(open_head.find("X_Underscored: dropped\r\n") != std::string::npos);
    CHECK(open_head.find("X-Secret") == std::string::npos);
}
