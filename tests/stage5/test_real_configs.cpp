// The directives real nginx configurations use (issue: real configs run as
// is), each against a running stage 5 over real sockets: nginx's command
// line, add_header, error_page, absolute redirects, log_format, keep-alive
// limits, the proxy_ directives, regular-expression locations, gzip, HTTPS,
// and the directives that tune the server itself.
#include "catch.hpp"
#include "scripted_upstream.hpp"
#include "stage5_server.hpp"

#include "config/regex.hpp"
#include "proxy/gzip.hpp"
#include "proxy/tls.hpp"

#include <fstream>
#include <regex>
#include <sstream>

#ifdef WEBSTACK_TEST_HAVE_ZLIB
#include <zlib.h>
#endif

using namespace webstack::testing;
using webstack::stage4::have_gzip;
using webstack::stage4::have_regular_expressions;
using webstack::stage4::have_tls;

namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Waits until `path` holds `lines` lines (the access log is written after the answer).
std::string wait_for_lines(const std::filesystem::path& path, std::size_t lines) {
    std::string text;
    for (int i = 0; i < 200; ++i) {
        text = read_file(path);
        if (static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) >= lines) break;
        std::this_thread::sleep_for(10ms);
    }
    return text;
}

std::string gunzip(const std::string& compressed) {
#ifdef WEBSTACK_TEST_HAVE_ZLIB
    z_stream stream{};
    inflateInit2(&stream, 15 + 32);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    stream.avail_in = static_cast<uInt>(compressed.size());
    std::string out;
    char buffer[4096];
    int status = Z_OK;
    while (status == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef*>(buffer);
        stream.avail_out = sizeof buffer;
        status = inflate(&stream, Z_NO_FLUSH);
        out.append(buffer, sizeof buffer - stream.avail_out);
    }
    inflateEnd(&stream);
    return status == Z_STREAM_END ? out : "(not gzip: inflate said " + std::to_string(status) + ")";
#else
    return compressed;
#endif
}

std::string binary_path(const std::string& name) { return binary(name); }

// The port a server wrote in its error log file ("Listening at: http://127.0.0.1:PORT").
int port_from_log(const std::filesystem::path& log) {
    for (int i = 0; i < 300; ++i) {
        std::smatch match;
        const auto text = read_file(log);
        if (std::regex_search(text, match, std::regex(R"(Listening at: http://[^\s]*:(\d+))"))) return std::stoi(match[1]);
        std::this_thread::sleep_for(10ms);
    }
    return 0;
}

}  // namespace

TEST_CASE("nginx's command line: -v, -V, -t -q, -T, -p, -g, -e", "[stage5]") {
    ConfigFolder folder;
    folder.write("conf/sites/one.conf", "server { listen 127.0.0.1:0; location / { return 200 \"one\"; } }\n");
    const auto config = folder.write("conf/nginx.conf", "events {}\nhttp {\n  include sites/*.conf;\n}\n");
    const auto program = binary_path("stage5-static-files");

    const auto version = run_command({program, "-v"});
    CHECK(version.exit_status == 0);
    CHECK(version.output.find("nginx version: nginx/1.30.0 (webstack stage5-static-files)") != std::string::npos);
    const auto build = run_command({program, "-V"});
    CHECK(build.output.find("configure arguments:") != std::string::npos);
    // -V lists what is missing, so that nginx's own tests skip what we lack.
    CHECK(build.output.find("--without-http_ssi_module") != std::string::npos);
    CHECK(build.output.find("--without-http_charset_module") == std::string::npos);  // `charset utf-8` is ours
    CHECK((build.output.find("--with-http_ssl_module") != std::string::npos) == have_tls());
    CHECK((build.output.find("--without-pcre") == std::string::npos) == have_regular_expressions());
    CHECK((build.output.find("--without-http_gzip_module") == std::string::npos) == have_gzip());

    // include is relative to the config file's folder, not to -p.
    const auto quiet = run_command({program, "-p", folder.path().string(), "-c", "conf/nginx.conf", "-t", "-q"});
    INFO(quiet.output);
    CHECK(quiet.exit_status == 0);
    CHECK(quiet.output.empty());
    const auto dump = run_command({program, "-c", config, "-T"});
    CHECK(dump.exit_status == 0);
    CHECK(dump.output.find("# configuration file " + config + ":") != std::string::npos);
    CHECK(dump.output.find("conf/sites/one.conf:\nserver { listen") != std::string::npos);
    // -g adds main-level directives; written twice, nginx's "duplicate".
    CHECK(run_command({program, "-c", config, "-t", "-g", "worker_processes 2;"}).exit_status == 0);
    const auto twice = run_command({program, "-c", config, "-t", "-g", "events {}"});
    CHECK(twice.exit_status == 1);
    CHECK(twice.output.find("\"events\" directive is duplicate") != std::string::npos);
    // -p: the pid file and the logs resolve against the prefix; -e names
    // the error log (the config names none), where the server says its port.
    std::filesystem::create_directories(folder.path() / "logs");
    ServerProcess server(program, {"-p", folder.path().string(), "-c", "conf/nginx.conf", "-e", "logs/error.log",
                                   "-g", "pid logs/nginx.pid;"});
    const int port = port_from_log(folder.path() / "logs/error.log");
    REQUIRE(port > 0);
    RawClient client(port);
    CHECK(client.answer(get("/")).body == "one");
    CHECK(std::filesystem::exists(folder.path() / "logs/nginx.pid"));
}

TEST_CASE("add_header: on success only unless always, each block its own list", "[stage5]") {
    auto server = prepare_stage5();
    start(*server, site("add_header X-Server server;\n"
                        "location / { return 200 \"ok\"; }\n"
                        "location /own { add_header X-Own \"$request_method $uri\"; add_header X-Empty \"$arg_none\";"
                        " return 200 \"ok\"; }\n"
                        "location /missing { add_header X-Not-On-Error no; add_header X-Always yes always; return 404; }\n"));
    RawClient client(server->port);
    const auto plain = client.answer(get("/"));
    CHECK(plain.headers.get("X-Server") == "server");  // inherited from the server
    const auto own = client.answer(get("/own/x?y=1"));
    CHECK(own.headers.get("X-Own") == "GET /own/x");   // variables filled in
    CHECK_FALSE(own.headers.get("X-Server"));          // a block with its own add_header inherits none
    CHECK_FALSE(own.headers.get("X-Empty"));           // a value that comes out empty adds nothing
    const auto missing = client.answer(get("/missing"));
    CHECK(missing.status == 404);
    CHECK_FALSE(missing.headers.get("X-Not-On-Error"));
    CHECK(missing.headers.get("X-Always") == "yes");
}

TEST_CASE("error_page: a URI, =code, a bare =, a named location, a URL, intercepted upstream errors", "[stage5]") {
    ScriptedUpstream failing("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 9\r\n\r\nupstream!",
                             ScriptedUpstream::Behaviour::KeepAlive);
    auto server = prepare_stage5();
    server->folder.write("site/50x.html", "our sorry page\n");
    const std::string upstream = "http://127.0.0.1:" + std::to_string(failing.port());
    start(*server, site("root $SITE;\n"
                        "error_page 404 /50x.html;\n"
                        "location /changed { error_page 404 =200 /50x.html; return 404; }\n"
                        "location /theirs { error_page 404 = @fallback; return 404; }\n"
                        "location @fallback { return 202 \"fallback\"; }\n"
                        "location /away { error_page 404 https://example.com/gone; return 404; }\n"
                        "location /api/ { proxy_pass " + upstream + "; proxy_intercept_errors on; error_page 503 /50x.html; }\n"
                        "location /raw/ { proxy_pass " + upstream + "; error_page 503 /50x.html; }\n"));
    RawClient client(server->port);
    const auto missing = client.answer(get("/nothing-here"));
    CHECK(missing.status == 404);                       // the error's status...
    CHECK(missing.body == "our sorry page\n");          // ...with the page's body
    const auto changed = client.answer(get("/changed"));
    CHECK(changed.status == 200);
    CHECK(changed.body == "our sorry page\n");
    const auto named = client.answer(get("/theirs"));
    CHECK(named.status == 202);                         // a bare "=": the page's own status
    CHECK(named.body == "fallback");
    const auto away = client.answer(get("/away"));
    CHECK(away.status == 302);
    CHECK(away.headers.get("Location") == "https://example.com/gone");
    const auto intercepted = client.answer(get("/api/x"));
    CHECK(intercepted.status == 503);
    CHECK(intercepted.body == "our sorry page\n");
    CHECK(client.answer(get("/raw/x")).body == "upstream!");  // without proxy_intercept_errors, theirs
}

TEST_CASE("absolute_redirect, port_in_redirect, server_name_in_redirect", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/dir/index.html", "x");
    start(*server, site("root $SITE;\n"
                        "location /dir/ { }\n"
                        "location /relative/ { absolute_redirect off; return 301 /dir/; }\n"
                        "location /noport/ { port_in_redirect off; return 301 /dir/; }\n"
                        "location /named/ { server_name_in_redirect on; return 301 /dir/; }\n"));
    RawClient client(server->port);
    const std::string port = std::to_string(server->port);
    CHECK(client.answer(get("/dir")).headers.get("Location") == "http://127.0.0.1:" + port + "/dir/");
    CHECK(client.answer(get("/relative/")).headers.get("Location") == "/dir/");
    CHECK(client.answer(get("/noport/")).headers.get("Location") == "http://127.0.0.1/dir/");
    CHECK(client.answer(get("/named/")).headers.get("Location") == "http://localhost:" + port + "/dir/");
}

TEST_CASE("a folder's redirect follows absolute_redirect and escapes, an invalid Host's error page uses our address", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/a dir/index.html", "x");
    server->folder.write("site/off/b/index.html", "x");
    start(*server, site("root $SITE; error_page 400 /moved;\n"
                        "location /off/ { absolute_redirect off; }\n"
                        "location /moved { return 301 /elsewhere; }\n"));
    RawClient client(server->port);
    const std::string port = std::to_string(server->port);
    CHECK(client.answer(get("/a%20dir?x=1")).headers.get("Location") == "http://127.0.0.1:" + port + "/a%20dir/?x=1");
    CHECK(client.answer(get("/off/b")).headers.get("Location") == "/off/b/");
    // "Host: ." is refused (400); the server's error_page answers, and with no
    // host to name, the redirect names the address the client connected to.
    RawClient invalid(server->port);
    const auto moved = invalid.answer("GET / HTTP/1.0\r\nHost: .\r\n\r\n");
    CHECK(moved.status == 301);
    CHECK(moved.headers.get("Location") == "http://127.0.0.1:" + port + "/elsewhere");
}

TEST_CASE("log_format and access_log: formats, escapes, if=, several logs in one block", "[stage5]") {
    auto server = prepare_stage5();
    const auto logs = server->folder.path() / "logs";
    std::filesystem::create_directories(logs);
    start(*server, "log_format short '$request_method $uri $status $body_bytes_sent';\n"
                   "log_format json escape=json '{\"agent\":\"$http_user_agent\"}';\n" +
                       site("access_log " + (logs / "short.log").string() + " short;\n"
                            "access_log " + (logs / "json.log").string() + " json;\n"
                            "access_log " + (logs / "combined.log").string() + ";\n"
                            "location / { return 200 \"hello\"; }\n"
                            "location /quiet { access_log off; return 200; }\n"
                            "location /some { access_log " + (logs / "some.log").string() + " short if=$arg_log;"
                            " return 200; }\n"));
    RawClient client(server->port);
    client.answer(get("/page", "User-Agent: a \"quoted\" agent\r\n"));
    client.answer(get("/quiet"));
    client.answer(get("/some?log=1"));
    client.answer(get("/some?log=0"));
    CHECK(wait_for_lines(logs / "short.log", 1) == "GET /page 200 5\n");
    CHECK(wait_for_lines(logs / "json.log", 1) == "{\"agent\":\"a \\\"quoted\\\" agent\"}\n");
    const auto combined = wait_for_lines(logs / "combined.log", 1);
    CHECK(std::regex_search(combined, std::regex(R"(^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET /page HTTP/1\.1" 200 5 "-" "a \\x22quoted\\x22 agent"\n$)")));
    CHECK(wait_for_lines(logs / "some.log", 1) == "GET /some 200 0\n");  // the one with log=1 only
    // -t refuses a format nobody defined, as nginx does.
    ConfigFolder other;
    const auto bad = other.write("nginx.conf", "events {}\nhttp { server { access_log x.log nosuch; } }\n");
    CHECK(run_command({binary_path("stage5-static-files"), "-c", bad, "-t"}).output.find("unknown log format \"nosuch\"") !=
          std::string::npos);
}

TEST_CASE("access_log with variables in its path, open_log_file_cache, gzip, $binary_remote_addr", "[stage5]") {
    auto server = prepare_stage5();
    const auto logs = server->folder.path() / "logs";
    std::filesystem::create_directories(logs / "hosts");
    start(*server, "log_format short '$uri';\nlog_format binary escape=default '$binary_remote_addr';\n" +
                       site("location /by-host { access_log " + (logs / "hosts/$arg_site.log").string() + " short; return 200; }\n"
                            "location /cached { open_log_file_cache max=2 min_uses=2;\n"
                            "  access_log " + (logs / "hosts/cached-$arg_site.log").string() + " short; return 200; }\n"
                            "location /zipped { access_log " + (logs / "zipped.log.gz").string() + " short gzip=9; return 200; }\n"
                            "location /binary { access_log " + (logs / "binary.log").string() + " binary; return 200; }\n"));
    RawClient client(server->port);
    client.answer(get("/by-host?site=a"));
    client.answer(get("/by-host?site=b"));
    client.answer(get("/by-host?site=../escape"));  // a "/" from a variable would leave the folder
    CHECK(wait_for_lines(logs / "hosts/a.log", 1) == "/by-host\n");
    CHECK(wait_for_lines(logs / "hosts/b.log", 1) == "/by-host\n");
    CHECK(server->process->wait_for_output("a variable's value has a \"/\""));
    CHECK_FALSE(std::filesystem::exists(logs / "escape.log"));
    // Used twice, the file stays open: its lines follow it when it is moved.
    client.answer(get("/cached?site=c"));
    client.answer(get("/cached?site=c"));
    CHECK(wait_for_lines(logs / "hosts/cached-c.log", 2) == "/cached\n/cached\n");
    std::filesystem::rename(logs / "hosts/cached-c.log", logs / "moved.log");
    client.answer(get("/cached?site=c"));
    CHECK(wait_for_lines(logs / "moved.log", 3) == "/cached\n/cached\n/cached\n");
    client.answer(get("/binary"));
    CHECK(wait_for_lines(logs / "binary.log", 1) == "\\x7F\\x00\\x00\\x01\n");  // 127.0.0.1's four bytes
    client.answer(get("/zipped"));
    client.answer(get("/zipped"));
    if (webstack::stage4::have_gzip()) {
        std::string unzipped;  // the lines are written after the answers
        for (int wait = 0; wait < 50 && unzipped != "/zipped\n/zipped\n"; ++wait) {
            std::this_thread::sleep_for(20ms);
            unzipped = run_command({"zcat", (logs / "zipped.log.gz").string()}).output;
        }
        CHECK(unzipped == "/zipped\n/zipped\n");  // each line a gzip member: zcat reads them all
    }
}

TEST_CASE("keepalive_disable, keepalive_timeout 0 and the answering location's keepalive_timeout", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/page", "p");
    server->folder.write("site/long/page", "l");
    start(*server, site("root $SITE; keepalive_timeout 1s;\n"
                        "location /zero/ { keepalive_timeout 0; }\n"
                        "location /safari/ { keepalive_disable safari; }\n"
                        "location /long/ { keepalive_timeout 30s; }\n"));
    const auto connection_of = [&](const std::string& request) {
        RawClient client(server->port);
        return std::string(client.answer(request).headers.get("Connection").value_or(""));
    };
    const std::string msie5 = "User-Agent: Mozilla/4.0 (compatible; MSIE 5.0; Windows 98)\r\n";
    CHECK(connection_of("POST /page HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n" + msie5 + "\r\n") == "close");
    CHECK(connection_of("GET /page HTTP/1.1\r\nHost: x\r\n" + msie5 + "\r\n") == "keep-alive");  // only a POST
    const std::string safari = "User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7) Safari/7534.48.3\r\n";
    CHECK(connection_of("GET /page HTTP/1.1\r\nHost: x\r\n" + safari + "\r\n") == "keep-alive");
    CHECK(connection_of("GET /safari/ HTTP/1.1\r\nHost: x\r\n" + safari + "\r\n") == "close");
    CHECK(connection_of(get("/zero/")) == "close");
    // Waiting for the next request: the timeout of the block that answered.
    RawClient kept(server->port);
    CHECK(kept.answer(get("/long/page")).body == "l");
    std::this_thread::sleep_for(1500ms);  // past the server's 1s
    CHECK(kept.answer(get("/long/page")).body == "l");
}

TEST_CASE("index is an internal redirect ($uri, the index's own location), and $sent_http_ in a log", "[stage5]") {
    ScriptedUpstream app(ScriptedUpstream::ok("from the app"));
    auto server = prepare_stage5();
    const auto logs = server->folder.path() / "logs";
    std::filesystem::create_directories(logs);
    server->folder.write("site/docs/index.html", "docs index");
    server->folder.write("site/app/index.py", "never sent");
    start(*server, "log_format sent '$uri $sent_http_x_uri $sent_http_content_type';\n" +
                       site("root $SITE; add_header X-URI $uri;\n"
                            "access_log " + (logs / "sent.log").string() + " sent;\n"
                            "location /app/ { index index.py; }\n"
                            "location ~ \\.py$ { proxy_pass http://127.0.0.1:" + std::to_string(app.port()) + "; }\n"
                            "location /abs/ { index /docs/index.html; }\n"
                            "location /loop/ { index /loop/; }\n"));
    RawClient client(server->port);
    const auto docs = client.answer(get("/docs/"));
    INFO(client.transcript());
    CHECK(docs.body == "docs index");
    CHECK(docs.headers.get("X-URI") == "/docs/index.html");
    CHECK(client.answer(get("/app/")).body == "from the app");  // index.py's own location proxies it
    CHECK(client.answer(get("/abs/")).body == "docs index");    // a URI, even without the folder
    CHECK(client.answer(get("/loop/")).status == 500);
    CHECK(wait_for_lines(logs / "sent.log", 1).starts_with("/docs/index.html /docs/index.html text/html\n"));
}

TEST_CASE("error_log in a location takes its requests' errors, log_not_found off drops the missing files", "[stage5]") {
    auto server = prepare_stage5();
    const auto logs = server->folder.path() / "logs";
    std::filesystem::create_directories(logs);
    start(*server, site("root $SITE;\n"
                        "location /own/ { error_log " + (logs / "own.log").string() + ";\n"
                        "  location /own/quiet/ { error_log " + (logs / "quiet.log").string() + "; log_not_found off; } }\n"));
    RawClient client(server->port);
    CHECK(client.answer(get("/own/missing")).status == 404);
    CHECK(client.answer(get("/own/quiet/missing")).status == 404);
    CHECK(wait_for_lines(logs / "own.log", 1).find("[error]") != std::string::npos);
    CHECK(wait_for_lines(logs / "own.log", 1).find("/own/missing\" failed (2: No such file or directory)") != std::string::npos);
    CHECK(std::filesystem::exists(logs / "quiet.log"));  // opened at the start, as nginx does
    CHECK(read_file(logs / "quiet.log").empty());
    CHECK(server->process->output().find("own/missing\" failed") == std::string::npos);  // not in the main log
}

TEST_CASE("keepalive_requests: the connection closes after that many answers", "[stage5]") {
    auto server = prepare_stage5();
    start(*server, site("keepalive_requests 2;\nkeepalive_timeout 30s 25s;\n"
                        "location / { return 200 \"$connection_requests\"; }\n"));
    RawClient client(server->port);
    const auto first = client.answer(get("/"));
    CHECK(first.body == "1");
    CHECK(first.headers.get("Connection") == "keep-alive");
    CHECK(first.headers.get("Keep-Alive") == "timeout=25");  // keepalive_timeout's second value
    const auto second = client.answer(get("/"));
    CHECK(second.body == "2");
    CHECK(second.headers.get("Connection") == "close");
    CHECK(client.wait_for_close());
}

TEST_CASE("proxy_method, proxy_pass_request_headers and _body, proxy_hide_header and _pass_header", "[stage5]") {
    ScriptedUpstream upstream("HTTP/1.1 200 OK\r\nX-Secret: s\r\nX-Accel-Buffering: no\r\nX-Pad: p\r\nContent-Length: 2\r\n\r\nok",
                              ScriptedUpstream::Behaviour::KeepAlive);
    auto server = prepare_stage5();
    const std::string to = "http://127.0.0.1:" + std::to_string(upstream.port());
    start(*server, site("location /method { proxy_pass " + to + "; proxy_method POST; }\n"
                        "location /bare { proxy_pass " + to + "; proxy_pass_request_headers off; proxy_pass_request_body off; }\n"
                        "location /hide { proxy_pass " + to + "; proxy_hide_header X-Secret; proxy_pass_header X-Pad; }\n"));
    RawClient client(server->port);
    client.answer(get("/method"));
    client.answer("POST /bare HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Mine: 1\r\nContent-Length: 4\r\n\r\nbody");
    const auto hidden = client.answer(get("/hide"));
    REQUIRE(upstream.wait_for_requests(3));
    const auto requests = upstream.requests();
    CHECK(requests[0].starts_with("POST /method HTTP/1.1\r\n"));
    CHECK(requests[1].starts_with("POST /bare HTTP/1.1\r\n"));
    CHECK(requests[1].find("X-Mine") == std::string::npos);      // none of the client's headers
    CHECK(requests[1].find("Content-Length") == std::string::npos);
    CHECK_FALSE(requests[1].ends_with("body"));                   // the body was read, not passed on
    CHECK_FALSE(hidden.headers.get("X-Secret"));
    CHECK(hidden.headers.get("X-Pad") == "p");                    // hidden by default, passed on request
    CHECK_FALSE(hidden.headers.get("X-Accel-Buffering"));
}

TEST_CASE("regular expression locations end to end: order, captures, nesting", "[stage5]") {
    if (!have_regular_expressions()) return;  // -t refuses them (test_config.cpp)
    auto server = prepare_stage5();
    start(*server, site("location / { return 200 \"prefix\"; }\n"
                        "location ^~ /assets/ { return 200 \"assets\"; }\n"
                        "location ~* \\.(png|jpg)$ { return 200 \"image\"; }\n"
                        "location ~ ^/users/(?<user>[a-z]+)/(\\d+)$ { return 200 \"$user #$2\"; }\n"
                        "location /docs/ { location ~ \\.pdf$ { return 200 \"pdf in docs\"; } return 200 \"docs\"; }\n"));
    RawClient client(server->port);
    CHECK(client.answer(get("/a/b.PNG")).body == "image");
    CHECK(client.answer(get("/assets/b.png")).body == "assets");  // ^~: no regex tried
    CHECK(client.answer(get("/users/ann/42")).body == "ann #42");
    CHECK(client.answer(get("/docs/a.pdf")).body == "pdf in docs");
    CHECK(client.answer(get("/docs/a.txt")).body == "docs");
    CHECK(client.answer(get("/other")).body == "prefix");
}

TEST_CASE("gzip: files and proxied answers compressed for clients that take it", "[stage5]") {
    if (!have_gzip()) return;  // -t refuses gzip (the directive rows)
    const std::string text(2000, 'x');
    ScriptedUpstream upstream("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: \"v1\"\r\nAccept-Ranges: bytes\r\n"
                              "Content-Length: 2000\r\n\r\n" + text, ScriptedUpstream::Behaviour::KeepAlive);
    auto server = prepare_stage5();
    server->folder.write("site/page.html", text);
    server->folder.write("site/tiny.html", "hi");
    server->folder.write("site/photo.jpg", text);
    start(*server, site("root $SITE;\ngzip on;\ngzip_vary on;\ngzip_types application/json;\n"
                        "location /api/ { proxy_pass http://127.0.0.1:" + std::to_string(upstream.port()) + "; }\n"));
    RawClient client(server->port);
    const std::string accepts = "Accept-Encoding: gzip, deflate\r\n";
    const auto page = client.answer(get("/page.html", accepts));
    CHECK(page.headers.get("Content-Encoding") == "gzip");
    CHECK(page.headers.get("Vary") == "Accept-Encoding");
    CHECK_FALSE(page.headers.get("Content-Length"));
    CHECK_FALSE(page.headers.get("Accept-Ranges"));
    CHECK(page.headers.get("ETag").value_or("").starts_with("W/"));
    CHECK(page.body.size() < 100);
    CHECK(gunzip(page.body) == text);
    const auto proxied = client.answer(get("/api/x", accepts));
    CHECK(proxied.headers.get("Content-Encoding") == "gzip");
    CHECK(proxied.headers.get("ETag") == "W/\"v1\"");
    CHECK(gunzip(proxied.body) == text);
    // Not compressed: a client that does not take gzip, a body under
    // gzip_min_length (20), a type not listed, a request through another proxy.
    CHECK(client.answer(get("/page.html")).body == text);
    CHECK_FALSE(client.answer(get("/tiny.html", accepts)).headers.get("Content-Encoding"));
    CHECK_FALSE(client.answer(get("/photo.jpg", accepts)).headers.get("Content-Encoding"));
    CHECK_FALSE(client.answer(get("/page.html", accepts + "Via: 1.1 cdn\r\n")).headers.get("Content-Encoding"));
    // HEAD: the head says gzip, and no body follows.
    RawClient head(server->port);
    REQUIRE(head.send("HEAD /page.html HTTP/1.1\r\nHost: 127.0.0.1\r\n" + accepts + "\r\n"));
    const auto head_answer = head.read_response("HEAD");
    REQUIRE(head_answer);
    CHECK(head_answer->headers.get("Content-Encoding") == "gzip");
}

TEST_CASE("HTTPS: listen ssl with a certificate, a redirect from HTTP, X-Forwarded-Proto", "[stage5]") {
    if (!have_tls()) return;  // -t refuses listen ... ssl (test_config.cpp)
    ScriptedUpstream app("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\napp", ScriptedUpstream::Behaviour::KeepAlive);
    auto server = prepare_stage5();
    const auto certificates = server->folder.path() / "tls";
    const auto made = run_command({std::string(WEBSTACK_SOURCE_DIR) + "/scripts/make-certificate", certificates.string()});
    REQUIRE(made.exit_status == 0);
    server->folder.write("site/index.html", "secure home\n");
    start(*server, "server {\n listen 127.0.0.1:0 ssl;\n server_name localhost;\n"
                   " ssl_certificate " + (certificates / "cert.pem").string() + ";\n"
                   " ssl_certificate_key " + (certificates / "key.pem").string() + ";\n"
                   " ssl_protocols TLSv1.2 TLSv1.3;\n ssl_session_cache shared:SSL:1m;\n ssl_session_timeout 10m;\n"
                   " root $SITE;\n"
                   " location /app/ { proxy_pass http://127.0.0.1:" + std::to_string(app.port()) + ";"
                   " proxy_set_header X-Forwarded-Proto $scheme; }\n}\n"
                   "server {\n listen 127.0.0.1:0;\n return 301 https://$host$request_uri;\n}\n");
    const auto https_port = server->process->wait_for_output(R"(Listening at: https://[^\s]*:(\d+))");
    const auto http_port = server->process->wait_for_output(R"(Listening at: http://[^\s]*:(\d+))");
    REQUIRE(https_port);
    REQUIRE(http_port);
    const std::string base = "https://localhost:" + (*https_port)[1];
    const auto cert = (certificates / "cert.pem").string();
    const auto home = run_command({"curl", "-sS", "--cacert", cert, "--resolve", "localhost:" + (*https_port)[1] + ":127.0.0.1",
                                   base + "/"});
    INFO(home.output);
    CHECK(home.output == "secure home\n");
    const auto proxied = run_command({"curl", "-sS", "--cacert", cert, "--resolve",
                                      "localhost:" + (*https_port)[1] + ":127.0.0.1", base + "/app/x"});
    CHECK(proxied.output == "app");
    REQUIRE(app.wait_for_requests(1));
    CHECK(app.requests()[0].find("X-Forwarded-Proto: https\r\n") != std::string::npos);
    // Plain HTTP: the redirect nginx users write; on the HTTPS port, nginx's 400.
    RawClient plain(std::stoi((*http_port)[1]));
    const auto redirect = plain.answer(get("/a?b=1"));
    CHECK(redirect.status == 301);
    CHECK(redirect.headers.get("Location") == "https://127.0.0.1/a?b=1");
    RawClient wrong_port(std::stoi((*https_port)[1]));
    const auto refused = wrong_port.answer(get("/"));
    CHECK(refused.status == 400);
    CHECK(refused.body.find("The plain HTTP request was sent to HTTPS port") != std::string::npos);
    // -t: a key that is not the certificate's, or no certificate at all.
    ConfigFolder bad;
    const auto missing = bad.write("nginx.conf", "events {}\nhttp { server { listen 127.0.0.1:0 ssl; } }\n");
    CHECK(run_command({binary_path("stage5-static-files"), "-c", missing, "-t"}).output.find("no \"ssl_certificate\"") !=
          std::string::npos);
}

TEST_CASE("daemon, worker_rlimit_nofile, client_body_temp_path: the server itself", "[stage5]") {
    ConfigFolder folder;
    const auto config = folder.write("nginx.conf", "daemon on;\npid nginx.pid;\nworker_rlimit_nofile 4321;\n"
                                                   "error_log error.log info;\nevents { use epoll; accept_mutex off; }\n"
                                                   "http {\n access_log off;\n client_body_temp_path temp/body 1 2;\n"
                                                   " server_names_hash_bucket_size 64;\n"
                                                   " server { listen 127.0.0.1:0; location / { return 200 \"d\"; } } }\n");
    // daemon on: the command returns at once; the master goes on alone.
    const auto started = run_command({binary_path("stage5-static-files"), "-c", config});
    INFO(started.output);
    CHECK(started.exit_status == 0);
    const auto pid_file = folder.path() / "nginx.pid";
    std::string pid;
    for (int i = 0; i < 200 && pid.empty(); ++i) {
        std::this_thread::sleep_for(10ms);
        pid = read_file(pid_file);
    }
    REQUIRE_FALSE(pid.empty());
    CHECK(std::filesystem::is_directory(folder.path() / "temp/body"));  // created at start, as nginx does
    const int port = port_from_log(folder.path() / "error.log");
    REQUIRE(port > 0);
    RawClient client(port);
    CHECK(client.answer(get("/")).body == "d");
    const auto limits = read_file("/proc/" + std::to_string(std::stoi(pid)) + "/limits");
    CHECK(limits.find("4321") != std::string::npos);
    CHECK(run_command({binary_path("stage5-static-files"), "-c", config, "-s", "stop"}).exit_status == 0);
    bool gone = false;
    for (int i = 0; i < 300 && !gone; ++i) {
        std::this_thread::sleep_for(10ms);
        gone = ::kill(std::stoi(pid), 0) != 0;
    }
    CHECK(gone);
}

TEST_CASE("user: root's workers give root up, else nginx's warning", "[stage5]") {
    ConfigFolder folder;
    const auto config = folder.write("nginx.conf", "user nobody nogroup;\nevents {}\nhttp {\n access_log off;\n"
                                                   " server { listen 127.0.0.1:0; location / { return 200 \"u\"; } } }\n");
    if (::geteuid() != 0) {
        const auto checked = run_command({binary_path("stage5-static-files"), "-c", config, "-t"});
        CHECK(checked.exit_status == 0);
        CHECK(checked.output.find("the \"user\" directive makes sense only if the master process runs with "
                                  "super-user privileges") != std::string::npos);
        return;
    }
    ServerProcess server(binary_path("stage5-static-files"), {"-c", config});
    RawClient client(server.port());
    CHECK(client.answer(get("/")).body == "u");
    const auto worker = server.wait_for_output(R"(start worker process (\d+))");
    REQUIRE(worker);
    const auto status = read_file("/proc/" + (*worker)[1] + "/status");
    CHECK(status.find("Uid:\t65534\t65534") != std::string::npos);  // nobody
    const auto master = read_file("/proc/" + std::to_string(server.pid()) + "/status");
    CHECK(master.find("Uid:\t0\t") != std::string::npos);  // the master stays root (to reopen logs, to bind on reload)
}

TEST_CASE("upstream keepalive_requests: a kept connection to the app server retires after that many", "[stage5]") {
    ScriptedUpstream app("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ScriptedUpstream::Behaviour::KeepAlive);
    auto server = prepare_stage5();
    start(*server, "upstream app { server 127.0.0.1:" + std::to_string(app.port()) + "; keepalive 4; keepalive_requests 2; }\n" +
                       site("location / { proxy_pass http://app; }\n"));
    RawClient client(server->port);
    for (int i = 0; i < 5; ++i) CHECK(client.answer(get("/")).body == "ok");
    REQUIRE(app.wait_for_requests(5));
    CHECK(app.connections() == 3);  // 2 + 2 + 1 requests
}
