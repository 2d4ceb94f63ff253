// Serving files: root, alias, index, try_files, autoindex, types, HEAD,
// the statuses of a file server, gzip_static, expires, sendfile.
#include "catch.hpp"
#include "scripted_upstream.hpp"
#include "stage5_server.hpp"
#include "exhaustion.hpp"

#include <csignal>
#include <filesystem>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace webstack::testing;

TEST_CASE("root appends the whole URI, alias replaces the location's prefix", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/index.html", "<h1>home</h1>\n");
    server->folder.write("site/static/css/site.css", "body { color: teal }\n");
    server->folder.write("assets/logo.txt", "the logo\n");
    start(*server, site("root $SITE;\n"
                        "location /static/ { }\n"
                        "location /media/ { alias " + (server->folder.path() / "assets").string() + "/; }\n"));
    RawClient client(server->port);
    const auto home = client.exchange(get("/"));
    INFO(client.transcript());
    REQUIRE(home);
    CHECK(home->status == 200);
    CHECK(home->body == "<h1>home</h1>\n");
    CHECK(home->headers.get("Content-Type") == "text/html");  // nginx's built-in types know html

    // root: /static/css/site.css is $SITE/static/css/site.css.
    const auto css = client.exchange(get("/static/css/site.css"));
    REQUIRE(css);
    CHECK(css->status == 200);
    CHECK(css->body == "body { color: teal }\n");
    CHECK(css->headers.get("Content-Type") == "text/plain");  // no types block: default_type
    CHECK(css->headers.get("Content-Length") == "21");
    // alias: /media/logo.txt is assets/logo.txt (the "/media/" is replaced).
    const auto logo = client.exchange(get("/media/logo.txt"));
    REQUIRE(logo);
    CHECK(logo->status == 200);
    CHECK(logo->body == "the logo\n");
    CHECK(client.answer(get("/media/missing.txt")).status == 404);
    CHECK(server->process->wait_for_output("open\\(\\) \".*/assets/missing.txt\" failed \\(2: No such file or directory\\)"));
}

TEST_CASE("Content-Type from mime.types, default_type for the rest", "[stage5]") {
    auto server = prepare_stage5();
    const std::vector<std::pair<std::string, std::string>> files = {
        {"a.html", "text/html"},   {"a.css", "text/css"},         {"a.js", "text/javascript"},
        {"a.json", "application/json"}, {"a.png", "image/png"},   {"a.JPG", "image/jpeg"},
        {"a.svg", "image/svg+xml"}, {"a.woff2", "font/woff2"},    {"a.pdf", "application/pdf"},
        {"a.txt", "text/plain"},   {"a.unknown", "application/octet-stream"}, {"Makefile", "application/octet-stream"},
    };
    for (const auto& [name, type] : files) server->folder.write("site/" + name, "x");
    std::filesystem::copy_file(std::filesystem::path(WEBSTACK_SOURCE_DIR) / "examples/mime.types",
                               server->folder.path() / "mime.types");
    start(*server, "include mime.types;\ndefault_type application/octet-stream;\n" + site("root $SITE;"));
    RawClient client(server->port);
    for (const auto& [name, type] : files) {
        const auto response = client.exchange(get("/" + name));
        INFO(name);
        REQUIRE(response);
        CHECK(response->headers.get("Content-Type") == type);
    }
}

TEST_CASE("HEAD, 405 for other methods, 404 for a missing file", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/file.txt", "twelve bytes");
    start(*server, site("root $SITE;"));
    RawClient client(server->port);
    client.send("HEAD /file.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto head = client.read_response("HEAD");
    INFO(client.transcript());
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(head->headers.get("Content-Length") == "12");
    CHECK(head->body.empty());
    // The connection is still good: the HEAD sent no body.
    CHECK(client.answer(get("/file.txt")).body == "twelve bytes");

    const auto put = client.exchange("PUT /file.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
    REQUIRE(put);
    CHECK(put->status == 405);
    CHECK(put->body.find("405 Not Allowed") != std::string::npos);
    RawClient poster(server->port);
    CHECK(poster.answer("POST /file.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").status == 405);
    CHECK(poster.answer("POST /nothing.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").status == 404);
    CHECK(poster.answer(get("/nothing.txt")).status == 404);
    CHECK(poster.answer(get("/file.txt/")).status == 404);  // a file is not a folder
}

TEST_CASE("folders: 301 to add the slash, index, autoindex, else 403", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/docs/index.html", "docs index");
    server->folder.write("site/docs/start.htm", "start page");
    server->folder.write("site/list/b.txt", "bb");
    server->folder.write("site/list/a <&>.txt", "a");
    server->folder.write("site/list/.hidden", "h");
    server->folder.write("site/list/sub/x", "x");
    server->folder.write("site/closed/file", "f");
    start(*server, site("root $SITE;\n"
                        "location /docs/ { index start.htm index.html; }\n"
                        "location /list/ { autoindex on; }\n"));
    RawClient client(server->port);
    const auto redirect = client.exchange("GET /docs?x=1 HTTP/1.1\r\nHost: example.test:1234\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(redirect);
    CHECK(redirect->status == 301);
    CHECK(redirect->headers.get("Location") == "http://example.test:" + std::to_string(server->port) + "/docs/?x=1");
    CHECK(client.answer(get("/docs/")).body == "start page");  // the first index that exists

    const auto listing = client.exchange(get("/list/"));
    REQUIRE(listing);
    CHECK(listing->status == 200);
    CHECK(listing->headers.get("Content-Type") == "text/html");
    CHECK(listing->body.find("<title>Index of /list/</title>") != std::string::npos);
    CHECK(listing->body.find("<a href=\"sub/\">sub/</a>") != std::string::npos);
    CHECK(listing->body.find("<a href=\"b.txt\">b.txt</a>") != std::string::npos);
    CHECK(listing->body.find("<a href=\"a%20%3C%26%3E.txt\">a &lt;&amp;&gt;.txt</a>") != std::string::npos);
    CHECK(listing->body.find(".hidden") == std::string::npos);
    CHECK(listing->body.find("sub/") < listing->body.find("b.txt"));  // folders first

    CHECK(client.answer(get("/closed/")).status == 403);
    CHECK(server->process->wait_for_output("directory index of \".*/closed/\" is forbidden"));
}

TEST_CASE("autoindex_format xml, json and jsonp, exact sizes off, and UTF-8 names with charset utf-8", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/list/big.bin", std::string(20000, 'x'));
    server->folder.write("site/list/say \"hi\".txt", "hi");
    server->folder.write("site/list/a:b", "");
    server->folder.write("site/list/sub/x", "x");
    std::string long_name = "u-";
    for (int i = 0; i < 60; ++i) long_name += "\xd1\x84";  // 60 Cyrillic letters, 120 bytes
    server->folder.write("site/list/" + long_name, "");
    start(*server, site("root $SITE;\n"
                        "location /list/ { autoindex on; autoindex_exact_size off; charset utf-8; }\n"
                        "location /xml/ { alias $SITE/list/; autoindex on; autoindex_format xml; }\n"
                        "location /json/ { alias $SITE/list/; autoindex on; autoindex_format json; }\n"
                        "location /jsonp/ { alias $SITE/list/; autoindex on; autoindex_format jsonp; }\n"));
    RawClient client(server->port);
    const auto html = client.answer(get("/list/"));
    INFO(client.transcript());
    CHECK(html.headers.get("Content-Type") == "text/html; charset=utf-8");
    CHECK(html.body.find("<a href=\"./a:b\">a:b</a>") != std::string::npos);  // not read as a scheme
    CHECK(html.body.find("    20K\r\n") != std::string::npos);                  // 20000 bytes, rounded
    CHECK(html.body.find("      -\r\n") != std::string::npos);                  // a folder's size
    // 47 letters, then "..>": cut by characters, not bytes.
    std::string cut = "u-";
    for (int i = 0; i < 45; ++i) cut += "\xd1\x84";
    CHECK(html.body.find(">" + cut + "..&gt;</a>") != std::string::npos);

    const auto xml = client.answer(get("/xml/"));
    CHECK(xml.headers.get("Content-Type") == "text/xml; charset=utf-8");
    CHECK(xml.body.starts_with("<?xml version=\"1.0\"?>\r\n<list>\r\n<directory mtime=\""));
    CHECK(xml.body.find(" size=\"20000\">big.bin</file>") != std::string::npos);
    CHECK(xml.body.find(">say &quot;hi&quot;.txt</file>") != std::string::npos);

    const auto json = client.answer(get("/json/"));
    CHECK(json.headers.get("Content-Type") == "application/json");
    CHECK(json.body.find("{ \"name\":\"sub\", \"type\":\"directory\", \"mtime\":\"") != std::string::npos);
    CHECK(json.body.find("\"name\":\"say \\\"hi\\\".txt\", \"type\":\"file\"") != std::string::npos);
    CHECK(json.body.find("\"size\":20000 }") != std::string::npos);

    const auto jsonp = client.answer(get("/jsonp/sub/?callback=show"));
    CHECK(jsonp.headers.get("Content-Type") == "application/javascript");
    CHECK(jsonp.body.starts_with("show([\r\n{ \"name\":\"x\", \"type\":\"file\""));
    CHECK(jsonp.body.ends_with("]\r\n);\r\n"));
    CHECK(client.answer(get("/jsonp/sub/")).headers.get("Content-Type") == "application/json");  // no callback
    RawClient other(server->port);
    CHECK(other.answer(get("/jsonp/sub/?callback=alert(1)")).status == 400);
    CHECK(server->process->wait_for_output("client sent invalid callback"));
}

TEST_CASE("charset utf-8 labels files, proxied answers and our pages of charset_types", "[stage5]") {
    ScriptedUpstream app(ScriptedUpstream::ok("from the app"));  // text/plain, no charset
    auto server = prepare_stage5();
    server->folder.write("site/page.html", "page");
    server->folder.write("site/data.bin", "data");
    start(*server, site("root $SITE; charset utf-8;\n"
                        "types { text/html html; application/octet-stream bin; text/css css; }\n"
                        "location /app/ { proxy_pass http://127.0.0.1:" + std::to_string(app.port()) + "; }\n"
                        "location /css/ { charset_types text/css; }\n"
                        "location /off/ { charset off; }\n"));
    server->folder.write("site/css/a.css", "a{}");
    server->folder.write("site/off/page.html", "off");
    RawClient client(server->port);
    INFO(client.transcript());
    CHECK(client.answer(get("/page.html")).headers.get("Content-Type") == "text/html; charset=utf-8");
    CHECK(client.answer(get("/data.bin")).headers.get("Content-Type") == "application/octet-stream");
    CHECK(client.answer(get("/css/a.css")).headers.get("Content-Type") == "text/css; charset=utf-8");
    CHECK(client.answer(get("/off/page.html")).headers.get("Content-Type") == "text/html");
    CHECK(client.answer(get("/missing")).headers.get("Content-Type") == "text/html; charset=utf-8");  // our 404 page
    RawClient proxied(server->port);
    const auto from_app = proxied.exchange(get("/app/"));
    INFO(proxied.transcript());
    REQUIRE(from_app);
    CHECK(from_app->headers.get("Content-Type") == "text/plain; charset=utf-8");
}

TEST_CASE("try_files: the first that exists, else the fallback", "[stage5]") {
    // It closes after each answer, and says so (a POST follows).
    ScriptedUpstream app(ScriptedUpstream::ok("from the app", "Connection: close\r\n"));
    auto server = prepare_stage5();
    server->folder.write("site/page.html", "static page");
    server->folder.write("site/folder/index.html", "folder index");
    server->folder.write("site/fallback.html", "fallback page");
    start(*server, site("root $SITE;\n"
                        "location / { try_files $uri $uri.html $uri/ @app; }\n"
                        "location /strict/ { try_files $uri =404; }\n"
                        "location /other/ { try_files $uri /fallback.html; }\n"
                        "location @app { proxy_pass http://127.0.0.1:" + std::to_string(app.port()) + "; }\n"));
    RawClient client(server->port);
    CHECK(client.answer(get("/page.html")).body == "static page");
    CHECK(client.answer(get("/page")).body == "static page");          // $uri.html
    CHECK(client.answer(get("/folder/")).body == "folder index");      // $uri/
    CHECK(client.answer(get("/dynamic/view?id=3")).body == "from the app");
    REQUIRE(app.wait_for_requests(1));
    CHECK(app.requests().front().starts_with("GET /dynamic/view?id=3 HTTP/1.1\r\n"));  // the original target
    // POST: no file, so the app gets it, body and all.
    const auto post = client.exchange("POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    REQUIRE(post);
    CHECK(post->body == "from the app");
    CHECK(client.answer(get("/strict/nothing")).status == 404);
    CHECK(client.answer(get("/other/nothing")).body == "fallback page");  // an internal redirect to another URI
    CHECK(app.requests().size() == 2);
}

TEST_CASE("gzip_static serves FILE.gz to clients that take gzip, gzip_vary adds Vary", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/app.js", "plain javascript");
    server->folder.write("site/app.js.gz", "pretend-gzip-bytes");
    server->folder.write("site/other.js", "no gz beside me");
    start(*server, "types { text/javascript js; }\n" + site("root $SITE; gzip_static on; gzip_vary on;"));
    RawClient client(server->port);
    const auto zipped = client.exchange(get("/app.js", "Accept-Encoding: br, gzip;q=0.8\r\n"));
    INFO(client.transcript());
    REQUIRE(zipped);
    CHECK(zipped->body == "pretend-gzip-bytes");
    CHECK(zipped->headers.get("Content-Encoding") == "gzip");
    CHECK(zipped->headers.get("Content-Type") == "text/javascript");  // the type of app.js, not of .gz
    CHECK(zipped->headers.get("Vary") == "Accept-Encoding");
    const auto plain = client.exchange(get("/app.js"));
    CHECK(plain->body == "plain javascript");
    CHECK_FALSE(plain->headers.get("Content-Encoding"));
    CHECK(plain->headers.get("Vary") == "Accept-Encoding");
    CHECK(client.answer(get("/app.js", "Accept-Encoding: gzip;q=0\r\n")).body == "plain javascript");
    // Revalidating the gzip copy: 304 by its own ETag, still with Vary, without Content-Encoding.
    const auto zipped_etag = std::string(zipped->headers.get("ETag").value_or(""));
    const auto revalidated = client.exchange(get("/app.js", "Accept-Encoding: gzip\r\nIf-None-Match: " + zipped_etag + "\r\n"));
    CHECK(revalidated->status == 304);
    CHECK(revalidated->headers.get("Vary") == "Accept-Encoding");
    CHECK_FALSE(revalidated->headers.get("Content-Encoding"));
    const auto other = client.exchange(get("/other.js", "Accept-Encoding: gzip\r\n"));
    CHECK(other->body == "no gz beside me");
    CHECK_FALSE(other->headers.get("Vary"));
}

TEST_CASE("expires sets Cache-Control and Expires, etag off drops the ETag", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/a/x.txt", "x");
    server->folder.write("site/b/x.txt", "x");
    server->folder.write("site/c/x.txt", "x");
    server->folder.write("site/d/x.txt", "x");
    start(*server, site("root $SITE;\n"
                        "location /a/ { expires 1h; }\n"
                        "location /b/ { expires max; etag off; }\n"
                        "location /c/ { expires epoch; }\n"
                        "location /d/ { expires -1; }\n"));
    RawClient client(server->port);
    const auto hour = client.exchange(get("/a/x.txt"));
    REQUIRE(hour);
    CHECK(hour->headers.get("Cache-Control") == "max-age=3600");
    CHECK(hour->headers.get("Expires"));
    CHECK(hour->headers.get("ETag"));
    const auto max = client.exchange(get("/b/x.txt"));
    CHECK(max->headers.get("Cache-Control") == "max-age=315360000");
    CHECK(max->headers.get("Expires") == "Thu, 31 Dec 2037 23:55:55 GMT");
    CHECK_FALSE(max->headers.get("ETag"));
    const auto epoch = client.exchange(get("/c/x.txt"));
    CHECK(epoch->headers.get("Cache-Control") == "no-cache");
    CHECK(epoch->headers.get("Expires") == "Thu, 01 Jan 1970 00:00:01 GMT");
    CHECK(client.answer(get("/d/x.txt")).headers.get("Cache-Control") == "no-cache");
}

TEST_CASE("a large file arrives byte-exact, with sendfile on and off", "[stage5]") {
    auto server = prepare_stage5();
    const auto bytes = pattern_bytes(5 * 1024 * 1024 + 17);
    server->folder.write("site/on/big.bin", bytes);
    server->folder.write("site/off/big.bin", bytes);
    start(*server, site("root $SITE;\nlocation /on/ { sendfile on; }\nlocation /off/ { sendfile off; }\n"));
    for (const char* path : {"/on/big.bin", "/off/big.bin"}) {
        RawClient client(server->port);
        const auto response = client.exchange(get(path), 20s);
        INFO(path);
        REQUIRE(response);
        CHECK(response->status == 200);
        CHECK(response->body.size() == bytes.size());
        CHECK(response->body == bytes);
    }
    CHECK(server->process->wait_for_output("\"GET /on/big.bin HTTP/1.1\" 200 5242897 "));
}

TEST_CASE("a client that leaves mid-download costs only its connection", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/big.bin", pattern_bytes(32 * 1024 * 1024));
    server->folder.write("site/small.txt", "still here");
    start(*server, site("root $SITE; sendfile on;"));
    for (int i = 0; i < 5; ++i) {
        RawClient leaver(server->port);
        leaver.send(get("/big.bin"));
        std::this_thread::sleep_for(20ms);
    }  // each closes with most of the file unsent: the server gets EPIPE or ECONNRESET
    RawClient client(server->port);
    CHECK(client.answer(get("/small.txt")).body == "still here");
    CHECK(server->process->running());
}

TEST_CASE("a FIFO in the folder does not hang the worker", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/ok.txt", "ok");
    REQUIRE(::mkfifo((server->root() + "/pipe").c_str(), 0644) == 0);
    start(*server, site("root $SITE;"));
    RawClient client(server->port);
    CHECK(client.answer(get("/pipe")).status == 404);
    CHECK(client.answer(get("/ok.txt")).body == "ok");
}

// A file's head goes with MSG_MORE and its bytes with sendfile(2); a 304
// is a head alone. With TCP_NODELAY on the client's connection, no piece
// waits for the client's delayed ACK.
TEST_CASE("200 requests one after another on a kept-alive connection take well under a second", "[stage5]") {
    auto server = prepare_stage5();
    server->folder.write("site/page.html", pattern_bytes(3000));
    set_mtime(server->root() + "/page.html", 1795428000);  // Mon, 23 Nov 2026 10:00:00 GMT
    start(*server, site("root $SITE;\nsendfile on;\n"));
    check_one_after_another(server->port, get("/page.html"));
    check_one_after_another(server->port, get("/page.html", "If-Modified-Since: Mon, 23 Nov 2026 10:00:00 GMT\r\n"),
                            "GET", 304);
}

TEST_CASE("out of file descriptors, stage 5 pauses accepting and serves its open connections", "[stage5]") {
    ConfigFolder folder;
    const auto config = folder.write("nginx.conf", nginx_conf(site("location / { return 200 ok; }")));
    ServerProcess server("prlimit", with_open_file_limit(40, binary("stage5-static-files"), {"-c", config}));
    check_survives_descriptor_exhaustion(server, "accept4() failed (24: Too many open files)");
}
