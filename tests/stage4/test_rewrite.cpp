// The rewrite module: set, rewrite (last, break, redirect, permanent), return,
// break and if, run in order in the server, then in the chosen location,
// through a real stage 4 process and a scripted upstream that says which
// target it got. Then what a URL made per request needs: proxy_pass with
// variables, the resolver (with a DNS server of the test's own), and the
// $upstream_... variables.
#include "catch.hpp"
#include "scripted_upstream.hpp"
#include "stage4_proxy.hpp"

#include "config/regex.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace webstack::testing;

namespace {
// The target the upstream got, from the request line of the last request.
std::string last_target(const ScriptedUpstream& upstream) {
    const auto requests = upstream.requests();
    if (requests.empty()) return "(none)";
    const auto line = requests.back().substr(0, requests.back().find("\r\n"));
    const auto start = line.find(' ') + 1;
    return line.substr(start, line.rfind(' ') - start);
}
}  // namespace

TEST_CASE("rewrite changes the URI the location and the upstream see, with nginx's flags", "[stage4]") {
    if (!webstack::stage4::have_regular_expressions()) return;  // built without PCRE2: -t refuses these (tested elsewhere)
    ScriptedUpstream app(ScriptedUpstream::ok("app"));
    const std::string to = "http://127.0.0.1:" + std::to_string(app.port());
    auto proxy = start_stage4("server {\n listen 127.0.0.1:0;\n"
                              " rewrite ^/old/(.*)$ /new/$1;\n"                 // the server's, before any location
                              " location /new/ { proxy_pass " + to + "; }\n"
                              " location /last/ { rewrite ^/last/(.*)$ /new/$1?from=last last; return 500; }\n"
                              " location /brk/ { rewrite ^/brk/(.*)$ /elsewhere/$1? break; proxy_pass " + to + "; }\n"
                              " location /perm/ { rewrite ^/perm/(.*)$ /new/$1 permanent; }\n"
                              " location /away { rewrite ^ https://example.com/x; }\n"
                              " location /loop/ { rewrite ^ /loop/again; }\n}\n");
    RawClient client(proxy->port);
    CHECK(client.answer(get("/old/a?b=1")).body == "app");
    INFO(client.transcript());
    CHECK(last_target(app) == "/new/a?b=1");
    CHECK(client.answer(get("/last/c?d=2")).body == "app");
    CHECK(last_target(app) == "/new/c?from=last&d=2");  // the replacement's arguments, then the request's
    CHECK(client.answer(get("/brk/e%20f?g=3")).body == "app");
    CHECK(last_target(app) == "/elsewhere/e%20f");  // "?" at the end drops the request's arguments
    const auto permanent = client.answer(get("/perm/h?i=4"));
    CHECK(permanent.status == 301);
    CHECK(permanent.headers.get("Location") == "http://127.0.0.1:" + std::to_string(proxy->port) + "/new/h?i=4");
    const auto away = client.answer(get("/away"));
    CHECK(away.status == 302);
    CHECK(away.headers.get("Location") == "https://example.com/x");
    CHECK(client.answer(get("/loop/")).status == 500);
    CHECK(proxy->process->wait_for_output("rewrite or internal redirection cycle"));
}

TEST_CASE("if, set and return: the HTTPS redirect and the maintenance switch real configs write", "[stage4]") {
    if (!webstack::stage4::have_regular_expressions()) return;
    ScriptedUpstream app(ScriptedUpstream::ok("app"));
    const std::string to = "http://127.0.0.1:" + std::to_string(app.port());
    auto proxy = start_stage4("server {\n listen 127.0.0.1:0;\n"
                              " if ($http_x_forwarded_proto = \"http\") { return 301 https://$host$request_uri; }\n"
                              " set $maintenance 0;\n"
                              " if ($arg_down) { set $maintenance 1; }\n"
                              " location / {\n"
                              "   if ($maintenance) { return 503; }\n"
                              "   if ($http_user_agent ~* \"(?<bot>bot|spider)\") { return 403 \"no $bot here\"; }\n"
                              "   if ($request_method !~ ^(GET|HEAD|POST)$) { return 405; }\n"
                              "   if ($arg_stop) { break; }\n"
                              "   if ($cookie_user != \"\") { set $who $cookie_user; }\n"
                              "   proxy_set_header X-Who $who;\n"
                              "   proxy_pass " + to + ";\n }\n}\n");
    RawClient client(proxy->port);
    const auto redirected = client.exchange("GET /a?b=1 HTTP/1.1\r\nHost: Example.COM\r\nX-Forwarded-Proto: http\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(redirected);
    CHECK(redirected->status == 301);
    CHECK(redirected->headers.get("Location") == "https://example.com/a?b=1");
    CHECK(client.answer(get("/?down=1")).status == 503);
    CHECK(client.answer(get("/?down=0")).body == "app");  // "0" is false
    const auto bot = client.exchange("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: GoodBOT/1.0\r\n\r\n");
    REQUIRE(bot);
    CHECK(bot->status == 403);
    CHECK(bot->body == "no BOT here");  // a named capture of the condition
    CHECK(client.answer("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n").status == 405);
    CHECK(client.answer("GET / HTTP/1.1\r\nHost: x\r\nCookie: user=ann\r\n\r\n").body == "app");
    CHECK(app.requests().back().find("X-Who: ann\r\n") != std::string::npos);
}

TEST_CASE("bad rewrite statements are refused with nginx's words", "[stage4]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"location / { rewrite ^/a /b sometimes; }", "invalid parameter \"sometimes\""},
        {"location / { set nodollar 1; }", "invalid variable name \"nodollar\""},
        {"location / { if $a { return 404; } }", "invalid condition \"$a\""},
        {"location / { if ($a <> b) { return 404; } }", "unexpected \"<>\" in condition"},
        {"location / { if (-f $uri) { return 404; } }", "tests files, which is not implemented here"},
        {"location / { if ($a) { proxy_pass http://127.0.0.1:1; } }", "\"proxy_pass\" directive is not allowed here"},
        {"location / { return 200 $undefined_thing; }", "unknown \"undefined_thing\" variable"},
        {"location / { break 1; }", "invalid number of arguments in \"break\" directive"},
    };
    for (const auto& [server_inside, message] : cases) {
        ConfigFolder folder;
        const auto file = folder.write("nginx.conf", nginx_conf("server { listen 127.0.0.1:0; " + server_inside + " }"));
        const auto result = run_command({binary("stage4-reverse-proxy"), "-t", "-c", file});
        INFO(server_inside);
        INFO(result.output);
        CHECK(result.exit_status == 1);
        CHECK(result.output.find(message) != std::string::npos);
    }
}

TEST_CASE("proxy_pass with variables: an upstream block's name or an address, made per request", "[stage4]") {
    ScriptedUpstream app(ScriptedUpstream::ok("app"));
    const std::string address = "127.0.0.1:" + std::to_string(app.port());
    auto proxy = start_stage4("upstream backend { server " + address + "; }\n"
                              "server {\n listen 127.0.0.1:0;\n"
                              " location /to/ { proxy_pass http://$arg_to;\n"
                              "   add_header X-Tried \"$upstream_addr $upstream_status $proxy_host $proxy_port\"; }\n"
                              " location /fixed/ { proxy_pass http://$arg_to/exactly/this; }\n}\n");
    RawClient client(proxy->port);
    const auto by_address = client.answer(get("/to/a?to=" + address));
    INFO(client.transcript());
    CHECK(by_address.body == "app");
    CHECK(last_target(app) == "/to/a?to=" + address);  // without a URI part: the request's target
    CHECK(by_address.headers.get("X-Tried") == address + " 200 " + address + " " + std::to_string(app.port()));
    CHECK(client.answer(get("/to/b?to=backend")).body == "app");  // an upstream block's name
    CHECK(client.answer(get("/fixed/c?to=backend")).body == "app");
    CHECK(last_target(app) == "/exactly/this");  // with one: the URI as written, replacing it all
    RawClient named(proxy->port);
    CHECK(named.answer(get("/to/d?to=app.example")).status == 502);  // a name to resolve: we have no resolver
    CHECK(proxy->process->wait_for_output("no resolver defined to resolve app.example"));
}

TEST_CASE("$upstream_connect_time, $upstream_header_time and $upstream_response_time, per try", "[stage4]") {
    ScriptedUpstream slow(ScriptedUpstream::ok("late"), ScriptedUpstream::Behaviour::RespondSlowly,
                          std::chrono::milliseconds(300));
    ConfigFolder logs;
    const auto log_file = (logs.path() / "times.log").string();
    auto proxy = start_stage4("log_format times '$upstream_connect_time|$upstream_header_time|$upstream_response_time';\n"
                              "server {\n listen 127.0.0.1:0;\n"
                              " location / { proxy_pass http://127.0.0.1:" + std::to_string(slow.port()) + ";\n"
                              "   access_log " + log_file + " times;\n"
                              "   add_header X-Times \"$upstream_connect_time|$upstream_header_time|$upstream_response_time\"; }\n}\n");
    RawClient client(proxy->port);
    const auto answer = client.answer(get("/"));
    INFO(client.transcript());
    CHECK(answer.body == "late");
    // At the head, the response has not ended yet: "-".
    const auto times = std::string(answer.headers.get("X-Times").value_or(""));
    CHECK(times.starts_with("0.0"));
    CHECK(times.ends_with("|-"));
    const double header_time = std::stod(times.substr(times.find('|') + 1));
    CHECK(header_time >= 0.3);
    std::string line;  // the line is written when the answer has gone
    for (int wait = 0; line.empty() && wait < 50; ++wait) {
        std::ifstream file(log_file);
        std::getline(file, line);
        if (line.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(line.starts_with("0.0"));
    CHECK(std::stod(line.substr(line.rfind('|') + 1)) >= 0.3);  // the log knows the response's end
}

namespace {
// A DNS server for one test, on a UDP port of 127.0.0.1: every question for
// an A record is answered with `addresses` (127.0.0.1 each time), TTL 60.
class FakeDns {
public:
    explicit FakeDns(int addresses) : addresses_(addresses) {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
        socklen_t length = sizeof address;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeDns() {
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    int port() const { return port_; }
    int questions() const { return questions_; }

private:
    void serve() {
        unsigned char question[512];
        sockaddr_in from{};
        socklen_t length = sizeof from;
        while (true) {
            const auto got = ::recvfrom(fd_, question, sizeof question, 0, reinterpret_cast<sockaddr*>(&from), &length);
            if (got < 12) return;
            ++questions_;
            // The header (id kept; a response, recursion available; one
            // question, N answers), the question as asked, then the answers,
            // each naming the question's name by a pointer (0xc00c).
            std::string reply(reinterpret_cast<char*>(question), static_cast<std::size_t>(got));
            reply[2] = static_cast<char>(0x81), reply[3] = static_cast<char>(0x80);
            reply[6] = 0, reply[7] = static_cast<char>(addresses_);
            reply[8] = reply[9] = reply[10] = reply[11] = 0;
            for (int i = 0; i < addresses_; ++i)
                reply += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x7f\x00\x00\x01", 16);
            ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), length);
        }
    }
    int addresses_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<int> questions_{0};
    std::thread thread_;
};
}  // namespace

TEST_CASE("resolver: a name proxy_pass makes is asked of the DNS server, each address a server to try", "[stage4]") {
    FakeDns dns(2);
    ScriptedUpstream missing("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", ScriptedUpstream::Behaviour::KeepAlive);
    auto proxy = start_stage4("server {\n listen 127.0.0.1:0;\n"
                              " location / { resolver 127.0.0.1:" + std::to_string(dns.port()) + " valid=30s;\n"
                              "   proxy_pass http://$arg_name:" + std::to_string(missing.port()) + ";\n"
                              "   proxy_next_upstream http_404;\n"
                              "   add_header X-Tries \"$upstream_status\" always; }\n"
                              " location /none/ { proxy_pass http://$arg_name:1; }\n}\n");
    RawClient client(proxy->port);
    const auto answer = client.answer(get("/?name=app.test"));
    INFO(client.transcript());
    CHECK(answer.status == 404);
    CHECK(answer.headers.get("X-Tries") == "404, 404");  // both addresses tried; a 404 marks neither down
    CHECK(client.answer(get("/?name=app.test")).headers.get("X-Tries") == "404, 404");
    CHECK(dns.questions() == 1);  // the answer is kept (valid=30s)
    RawClient without(proxy->port);
    CHECK(without.answer(get("/none/?name=app.test")).status == 502);
    CHECK(proxy->process->wait_for_output("no resolver defined to resolve app.test"));
}

TEST_CASE("proxy_next_upstream_timeout: no next try after that long", "[stage4]") {
    ScriptedUpstream slow("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", ScriptedUpstream::Behaviour::RespondSlowly,
                          std::chrono::milliseconds(400));
    const std::string server = "server 127.0.0.1:" + std::to_string(slow.port()) + ";";
    auto proxy = start_stage4("upstream three { " + server + server + server + " }\n"
                              "server {\n listen 127.0.0.1:0;\n"
                              " location / { proxy_pass http://three; proxy_next_upstream http_502;\n"
                              "   proxy_next_upstream_timeout 300ms; add_header X-Tries $upstream_status always; }\n}\n");
    RawClient client(proxy->port);
    const auto answer = client.answer(get("/"));
    INFO(client.transcript());
    CHECK(answer.status == 502);
    CHECK(answer.headers.get("X-Tries") == "502");  // the first took 400ms: past the limit, no second
}

TEST_CASE("bad resolver lines are refused", "[stage4]") {
    for (const auto& [line, message] : std::vector<std::pair<std::string, std::string>>{
             {"resolver dns.example;", "invalid resolver address \"dns.example\""},
             {"resolver 127.0.0.1 valid=soon;", "invalid value \"valid=soon\""},
             {"resolver_timeout never;", "invalid value \"never\""}}) {
        ConfigFolder folder;
        const auto file = folder.write("nginx.conf", nginx_conf(line + "\nserver { listen 127.0.0.1:0; }"));
        const auto result = run_command({binary("stage4-reverse-proxy"), "-t", "-c", file});
        INFO(result.output);
        CHECK(result.exit_status == 1);
        CHECK(result.output.find(message) != std::string::npos);
    }
}

TEST_CASE("$upstream_response_length, $upstream_bytes_sent and _received, $upstream_http_NAME in a log and a header", "[stage4]") {
    const std::string answer = "HTTP/1.1 200 OK\r\nX-App: one\r\nX-App: two\r\nContent-Length: 5\r\n\r\nhello";
    ScriptedUpstream app(answer);
    ConfigFolder logs;
    const auto log_file = (logs.path() / "bytes.log").string();
    auto proxy = start_stage4("log_format bytes '$upstream_response_length $upstream_bytes_received $upstream_bytes_sent "
                              "$upstream_http_x_app';\n"
                              "server {\n listen 127.0.0.1:0;\n"
                              " location / { proxy_pass http://127.0.0.1:" + std::to_string(app.port()) + ";\n"
                              "   access_log " + log_file + " bytes; add_header X-Seen $upstream_http_x_app; }\n}\n");
    RawClient client(proxy->port);
    const auto got = client.answer(get("/"));
    INFO(client.transcript());
    CHECK(got.headers.get("X-Seen") == "one, two");
    std::string line;
    for (int wait = 0; line.empty() && wait < 50; ++wait) {
        std::ifstream file(log_file);
        std::getline(file, line);
        if (line.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const auto sent = app.requests().back().size();
    CHECK(line == "5 " + std::to_string(answer.size()) + " " + std::to_string(sent) + " one, two");
}
