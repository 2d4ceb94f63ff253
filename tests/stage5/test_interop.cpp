// Side by side with real nginx: the same site, the same config, the same
// requests; the statuses and the headers that describe the file must agree
// (the error pages' text and the Server header may differ).
#include "catch.hpp"
#include "stage5_server.hpp"

#include <filesystem>
#include <regex>
#include <unistd.h>

using namespace webstack::testing;
namespace fs = std::filesystem;

namespace {
// The inside of `http { }` for both servers, listening on `port`.
std::string site_config(const std::string& root, int port) {
    return "types { text/plain txt; text/html html; text/css css; }\n"
           "default_type application/octet-stream;\n"
           "server {\n"
           "    listen 127.0.0.1:" + std::to_string(port) + ";\n"
           "    root " + root + ";\n"
           "    location /list/ { autoindex on; }\n"
           "    location /media/ { alias " + root + "/assets/; }\n"
           "    location /one-range/ { alias " + root + "/; max_ranges 1; }\n"
           "}\n";
}

// What must agree, as one line per header ("-" for absent). The port in a
// Location differs between the two servers, so it is replaced.
std::string describe(const webstack::http::Response& response, int port) {
    std::string out = std::to_string(response.status);
    const bool has_file_body = response.status == 200 || response.status == 206;
    for (const char* name : {"Content-Type", "Content-Length", "Last-Modified", "ETag", "Accept-Ranges",
                             "Content-Range", "Location"}) {
        if (std::string_view(name) == "Content-Length" && !has_file_body) continue;  // error pages differ in text
        if (std::string_view(name) == "Content-Length" && !response.headers.get("Last-Modified"))
            continue;  // a page, not a file (autoindex): nginx sends it chunked, we with a length
        auto value = std::string(response.headers.get(name).value_or("-"));
        if (std::string_view(name) == "Content-Type" && value.starts_with("multipart/byteranges"))
            value = "multipart/byteranges";  // the boundary is each server's own
        if (std::string_view(name) == "Content-Length" && response.headers.get("Content-Type").value_or("").starts_with("multipart"))
            continue;  // so is the boundary's length
        value = std::regex_replace(value, std::regex(":" + std::to_string(port) + "/"), ":PORT/");
        out += "\n" + std::string(name) + ": " + value;
    }
    return out;
}
}  // namespace

TEST_CASE("the same requests, answered alike by real nginx and by stage 5", "[stage5][interop]") {
    const auto nginx = nginx_binary();
    auto ours = prepare_stage5();
    ours->folder.write("site/index.html", "<h1>home</h1>\n");
    ours->folder.write("site/a.txt", "0123456789");
    ours->folder.write("site/style.css", "body { color: teal }\n");
    ours->folder.write("site/data.bin", pattern_bytes(5000));
    ours->folder.write("site/list/x.txt", "x");
    ours->folder.write("site/closed/x.txt", "x");
    ours->folder.write("site/assets/logo.txt", "logo");
    for (const char* file : {"index.html", "a.txt", "style.css", "data.bin", "assets/logo.txt"})
        set_mtime(ours->root() + "/" + file, 1795428000);
    start(*ours, site_config(ours->root(), 0));

    const int nginx_port = free_port();
    const fs::path prefix = fs::temp_directory_path() / ("webstack-nginx-stage5-" + std::to_string(::getpid()));
    fs::create_directories(prefix / "logs");
    std::ofstream(prefix / "nginx.conf") << "daemon off;\nworker_processes 1;\n"
                                         << "pid " << (prefix / "nginx.pid").string() << ";\n"
                                         << "error_log " << (prefix / "logs/error.log").string() << ";\n"
                                         << "events { worker_connections 64; }\nhttp {\n  access_log off;\n"
                                         << "  client_body_temp_path " << (prefix / "body").string() << ";\n"
                                         << site_config(ours->root(), nginx_port) << "}\n";
    ServerProcess real(nginx, {"-p", prefix.string(), "-c", (prefix / "nginx.conf").string()});
    REQUIRE(wait_for_port(nginx_port, 10s));

    const std::string since = "If-Modified-Since: Mon, 23 Nov 2026 10:00:00 GMT\r\n";
    const std::string etag = "\"6b040ea0-a\"";  // a.txt: mtime and size in hex, as both make it
    const std::vector<std::pair<std::string, std::string>> requests = {
        {"GET / HTTP/1.1", ""},
        {"GET /a.txt HTTP/1.1", ""},
        {"HEAD /a.txt HTTP/1.1", ""},
        {"GET /style.css HTTP/1.1", ""},
        {"GET /data.bin HTTP/1.1", ""},
        {"GET /media/logo.txt HTTP/1.1", ""},
        {"GET /missing.txt HTTP/1.1", ""},
        {"GET /a.txt/ HTTP/1.1", ""},
        {"GET /list HTTP/1.1", ""},
        {"GET /list/ HTTP/1.1", ""},
        {"GET /closed/ HTTP/1.1", ""},
        {"PUT /a.txt HTTP/1.1", "Content-Length: 0\r\n"},
        {"DELETE /a.txt HTTP/1.1", ""},
        {"POST /a.txt HTTP/1.1", "Content-Length: 0\r\n"},
        {"GET /a.txt HTTP/1.1", "If-None-Match: " + etag + "\r\n"},
        {"GET /a.txt HTTP/1.1", "If-None-Match: W/" + etag + "\r\n"},
        {"GET /a.txt HTTP/1.1", "If-None-Match: \"other\", " + etag + "\r\n"},
        {"GET /a.txt HTTP/1.1", "If-None-Match: *\r\n"},
        {"GET /a.txt HTTP/1.1", "If-None-Match: \"other\"\r\n"},
        {"GET /a.txt HTTP/1.1", since},
        {"GET /a.txt HTTP/1.1", "If-Modified-Since: Tue, 24 Nov 2026 10:00:00 GMT\r\n"},
        {"GET /a.txt HTTP/1.1", "If-None-Match: \"other\"\r\n" + since},
        {"GET /a.txt HTTP/1.1", "If-Match: \"other\"\r\n"},
        {"GET /a.txt HTTP/1.1", "If-Match: " + etag + "\r\n"},
        {"GET /a.txt HTTP/1.1", "If-Unmodified-Since: Sun, 22 Nov 2026 10:00:00 GMT\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=2-5\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=-3\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=7-\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=7-100\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=10-20\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=abc\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=5-2\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=0-1,5-2\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=0-1,100-\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: items=0-1\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=0-9,0-9\r\n"},
        {"GET /data.bin HTTP/1.1", "Range: bytes=0-9,100-199\r\n"},
        {"GET /data.bin HTTP/1.1", "Range: bytes=0-9, 5000-\r\n"},
        {"GET /data.bin HTTP/1.1", "Range: bytes=0-9, 5000-6000\r\n"},
        {"GET /one-range/data.bin HTTP/1.1", "Range: bytes=0-9, 5000-\r\n"},
        {"GET /one-range/data.bin HTTP/1.1", "Range: bytes=0-9,20-29\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=0-1\r\nIf-Range: " + etag + "\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=0-1\r\nIf-Range: \"old\"\r\n"},
        {"GET /a.txt HTTP/1.1", "Range: bytes=0-1\r\nIf-Range: Mon, 23 Nov 2026 10:00:00 GMT\r\n"},
    };
    for (const auto& [line, headers] : requests) {
        const std::string request = line + "\r\nHost: 127.0.0.1\r\n" + headers + "Connection: close\r\n\r\n";
        const std::string method = line.substr(0, line.find(' '));
        RawClient to_nginx(nginx_port);
        to_nginx.send(request);
        const auto from_nginx = to_nginx.read_response(method);
        RawClient to_ours(ours->port);
        to_ours.send(request);
        const auto from_ours = to_ours.read_response(method);
        INFO(request);
        REQUIRE(from_nginx);
        REQUIRE(from_ours);
        CHECK(describe(*from_ours, ours->port) == describe(*from_nginx, nginx_port));
        if (from_nginx->status == 200 || from_nginx->status == 206) {
            if (!from_nginx->headers.get("Content-Type").value_or("").starts_with("multipart"))
                CHECK(from_ours->body == from_nginx->body);
        }
    }
    std::error_code ignored;
    fs::remove_all(prefix, ignored);
}
