// Real nginx in front of stage3, with the seed article's server block
// (examples/sites-available/lifecycle); only ports and paths changed.
#include "catch.hpp"
#include "stage3_server.hpp"

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace webstack::testing;
namespace fs = std::filesystem;

TEST_CASE("real nginx in front of stage3 serves the app", "[stage3][interop]") {
    const auto nginx = nginx_binary();
    auto app_server = start_stage3("testing:dump_environ", {"-w", "2"});
    const int app_port = app_server->port();
    const int nginx_port = free_port();
    const fs::path prefix = fs::temp_directory_path() / ("webstack-nginx-" + std::to_string(::getpid()));
    fs::create_directories(prefix / "logs");
    std::ofstream(prefix / "nginx.conf") << "daemon off;\n"
                                            "worker_processes 1;\n"
                                            "pid " << (prefix / "nginx.pid").string() << ";\n"
                                            "error_log " << (prefix / "logs/error.log").string() << ";\n"
                                            "events { worker_connections 64; }\n"
                                            "http {\n"
                                            "  access_log off;\n"
                                            "  client_body_temp_path " << (prefix / "body").string() << ";\n"
                                            "  proxy_temp_path " << (prefix / "proxy").string() << ";\n"
                                            "  upstream server_django {\n"
                                            "    server 127.0.0.1:" << app_port << ";\n"
                                            "  }\n"
                                            "  server {\n"
                                            "    listen 127.0.0.1:" << nginx_port << ";\n"
                                            "    location / {\n"
                                            "      proxy_pass http://server_django;\n"
                                            "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                                            "      proxy_set_header Host $host;\n"
                                            "      proxy_redirect off;\n"
                                            "    }\n"
                                            "  }\n"
                                            "}\n";
    ServerProcess proxy(nginx, {"-p", prefix.string(), "-c", (prefix / "nginx.conf").string()});
    std::optional<webstack::http::Response> response;
    for (int attempt = 0; attempt < 100 && !response; ++attempt) {
        if (RawClient::try_connect(nginx_port)) {
            auto client = RawClient::from_address("127.0.0.2", nginx_port);  // the client is not the proxy
            response = client.exchange("GET /through/nginx?x=1 HTTP/1.1\r\nHost: Example.TEST:8080\r\n\r\n");
        } else {
            std::this_thread::sleep_for(50ms);  // waiting for nginx's port, bounded
        }
    }
    INFO(proxy.output() << "\n" << app_server->output());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body.find("PATH_INFO=/through/nginx\n") != std::string::npos);
    CHECK(response->body.find("QUERY_STRING=x=1\n") != std::string::npos);
    // $host: the browser's Host lowercased, without its port ($http_host keeps both).
    CHECK(response->body.find("HTTP_HOST=example.test\n") != std::string::npos);
    // As with Gunicorn: REMOTE_ADDR is nginx, the client is in X-Forwarded-For.
    CHECK(response->body.find("REMOTE_ADDR=127.0.0.1\n") != std::string::npos);
    CHECK(response->body.find("HTTP_X_FORWARDED_FOR=127.0.0.2\n") != std::string::npos);
    CHECK(response->body.find("HTTP_X_FORWARDED_PROTO") == std::string::npos);  // the article sends none
    fs::remove_all(prefix);
}
