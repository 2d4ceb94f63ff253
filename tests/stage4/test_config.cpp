// nginx.conf: what we accept, and how we refuse what we do not, in nginx's words.
#include "catch.hpp"
#include "stage4_proxy.hpp"
#include "config/regex.hpp"
#include "proxy/tls.hpp"

using namespace webstack::testing;
using webstack::stage4::have_regular_expressions;
using webstack::stage4::have_tls;

namespace {
CommandResult check_config(const std::string& file) {
    return run_command({binary("stage4-reverse-proxy"), "-t", "-c", file});
}
}  // namespace

TEST_CASE("the examples config passes -t", "[stage4]") {
    const auto result = check_config(std::string(WEBSTACK_SOURCE_DIR) + "/examples/nginx.conf");
    INFO(result.output);
    CHECK(result.exit_status == 0);
    CHECK(result.output.find("examples/nginx.conf syntax is ok") != std::string::npos);
    CHECK(result.output.find("examples/nginx.conf test is successful") != std::string::npos);
}

TEST_CASE("every supported directive is read", "[stage4]") {
    ConfigFolder folder;
    folder.write("sites/one.conf", R"(
upstream app_server {
    server 127.0.0.1:8000 weight=2 max_fails=3 fail_timeout=30s;
    server 127.0.0.1:8001 backup;
}
server {
    listen 127.0.0.1:8080 default_server;
    server_name example.com www.example.com;
    client_header_timeout 10s;
    large_client_header_buffers 4 16k;
    underscores_in_headers on;
    return 200 "$host $http_host $remote_addr $remote_port $scheme $request_uri $uri $args ${http_user_agent}";
}
server {
    listen 8081;
    location = /exact { return 301 http://$host/elsewhere; }
    location /api/ {
        proxy_pass http://app_server/v1/;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header "X-Quoted" 'a \"quoted\" value';
        proxy_redirect http://$proxy_host/v1/ /api/;
        proxy_connect_timeout 2s;
        proxy_read_timeout 1m;
        proxy_send_timeout 500ms;
        proxy_http_version 1.0;
        client_body_timeout 30;
        client_max_body_size 0;
        keepalive_timeout 0;
        access_log off;
    }
    location / { proxy_pass http://localhost:8000; proxy_redirect default; }
}
)");
    const auto config = folder.write("nginx.conf", R"(# a comment
worker_processes 1;
pid run/nginx.pid;
error_log logs/error.log warn;
events { worker_connections 1024; }
http {
    client_max_body_size 8m;
    keepalive_timeout 65;
    access_log logs/access.log combined;
    proxy_redirect off;
    include sites/*.conf;
}
)");
    const auto result = check_config(config);
    INFO(result.output);
    CHECK(result.exit_status == 0);
    CHECK(result.output.find("test is successful") != std::string::npos);
}

TEST_CASE("config errors name the file and the line", "[stage4]") {
    struct Case {
        std::string config;
        std::string message;
        int line;
    };
    const std::vector<Case> cases = {
        {"events {}\nhttp {\n  server {\n    location / { proxy_pas http://127.0.0.1:1; }\n  }\n}\n",
         "unknown directive \"proxy_pas\"", 4},
        {"events {}\nhttp {\n  proxy_pass http://127.0.0.1:1;\n}\n", "\"proxy_pass\" directive is not allowed here", 3},
        {"events {}\nhttp {\n  server {\n    listen;\n  }\n}\n", "invalid number of arguments in \"listen\" directive", 4},
        {"events {}\nhttp {\n  server;\n}\n", "directive \"server\" has no opening \"{\"", 3},
        {"events {}\nhttp {\n  server { listen 8080 { } }\n}\n", "directive \"listen\" is not terminated by \";\"", 3},
        {"events {}\n}\n", "unexpected \"}\"", 2},
        {"events {}\nhttp {\n  server {\n", "unexpected end of file, expecting \"}\"", 4},
        {"events {}\nhttp {\n  server { listen 8080 }\n}\n", "unexpected \"}\", expecting \";\" or \"}\"", 3},
        {"events {}\nhttp {\n  server { location / { proxy_pass http://nowhere; } }\n}\n",
         "host not found in upstream \"nowhere\"", 3},
        {"events {}\nhttp {\n  upstream app {\n    server app.invalid:8000;\n  }\n  server { location / { proxy_pass http://app; } }\n}\n",
         "host not found in upstream \"app.invalid:8000\"", 4},
        {"events {}\nhttp {\n  server { location / { proxy_set_header X-A $nonsense; proxy_pass http://127.0.0.1; } }\n}\n",
         "unknown \"nonsense\" variable", 3},
        {"events {}\nhttp {\n  client_max_body_size 1m;\n  client_max_body_size 2m;\n  server { }\n}\n",
         "\"client_max_body_size\" directive is duplicate", 4},
        {"events {}\nhttp {\n  client_max_body_size lots;\n  server { }\n}\n",
         "invalid value \"lots\" in \"client_max_body_size\" directive", 3},
        {"events {}\nhttp {\n  underscores_in_headers yes;\n  server { }\n}\n",
         "it must be \"on\" or \"off\"", 3},
        {"events {}\nhttp {\n  server { listen 8080 sll; }\n}\n", "invalid parameter \"sll\"", 3},
        {"events {}\nhttp {\n  server { listen 8080 ssl; }\n}\n",
         have_tls() ? "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive"
                    : "\"listen ... ssl\" needs OpenSSL", 3},
        {"events {}\nhttp {\n  server { location ~ (\\.php$ { return 404; } }\n}\n",
         have_regular_expressions() ? "pcre2_compile() failed: missing closing parenthesis in \"(\\.php$\""
                                    : "using regex \"(\\.php$\" requires PCRE library", 3},
        {"events {}\nhttp {\n  server { location /a/ {\n location /b/ { } } }\n}\n",
         "location \"/b/\" is outside location \"/a/\"", 4},
        {"events {}\nhttp {\n  server { location = /a {\n location /a/b { } } }\n}\n",
         "location \"/a/b\" cannot be inside the exact location \"/a\"", 4},
        {"events {}\nhttp {\n  server { location / { proxy_pass https://127.0.0.1; } }\n}\n", "invalid URL prefix", 3},
        {"worker_processes 0;\nevents {}\nhttp { server { } }\n", "invalid value \"0\" in \"worker_processes\"", 1},
        {"events {}\nhttp {\n  server { listen 8080 default_server; }\n  server { listen 8080 default_server; }\n}\n",
         "a duplicate default server for 0.0.0.0:8080", 4},
    };
    for (const auto& test : cases) {
        ConfigFolder folder;
        const auto file = folder.write("nginx.conf", test.config);
        const auto result = check_config(file);
        INFO("config:\n" << test.config << "\noutput:\n" << result.output);
        CHECK(result.exit_status == 1);
        CHECK(result.output.find("[emerg] ") != std::string::npos);
        CHECK(result.output.find(test.message) != std::string::npos);
        CHECK(result.output.find(" in " + file + ":" + std::to_string(test.line)) != std::string::npos);
        CHECK(result.output.find("test failed") != std::string::npos);
    }
}

TEST_CASE("an error in an included file names that file", "[stage4]") {
    ConfigFolder folder;
    const auto site = folder.write("sites-enabled/broken", "server {\n    listen 8080;\n    server_nme x;\n}\n");
    const auto config = folder.write("nginx.conf", "events {}\nhttp {\n    include sites-enabled/*;\n}\n");
    const auto result = check_config(config);
    INFO(result.output);
    CHECK(result.exit_status == 1);
    CHECK(result.output.find("unknown directive \"server_nme\" in " + site + ":3") != std::string::npos);

    // An include that names one missing file is an error; a pattern that
    // matches nothing is not.
    const auto missing = folder.write("missing.conf", "events {}\nhttp {\n    include nothing-here.conf;\n}\n");
    const auto refused = check_config(missing);
    CHECK(refused.exit_status == 1);
    CHECK(refused.output.find("No such file or directory") != std::string::npos);
    const auto empty = folder.write("empty.conf", "events {}\nhttp {\n    include none/*;\n    server { listen 8080; }\n}\n");
    CHECK(check_config(empty).exit_status == 0);
}

TEST_CASE("stage4 command line errors exit 1 as nginx does", "[stage4]") {
    const auto bad_flag = run_command({binary("stage4-reverse-proxy"), "-z"});
    INFO(bad_flag.output);
    CHECK(bad_flag.exit_status == 1);
    CHECK(bad_flag.output.find("Usage:") != std::string::npos);

    const auto no_file = run_command({binary("stage4-reverse-proxy"), "-c", "/nonexistent/nginx.conf"});
    INFO(no_file.output);
    CHECK(no_file.exit_status == 1);
    CHECK(no_file.output.find("open() \"/nonexistent/nginx.conf\" failed (2: No such file or directory)") !=
          std::string::npos);

    const auto help = run_command({binary("stage4-reverse-proxy"), "-h"});
    CHECK(help.exit_status == 0);
}
