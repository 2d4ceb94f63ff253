// Caching validators and ranges: ETag, Last-Modified, 304, 412, 206, 416.
#include "catch.hpp"
#include "stage5_server.hpp"

#include <fmt/format.h>

using namespace webstack::testing;

namespace {
// 2026-11-23 10:00:00 UTC, and the same as an HTTP date.
constexpr long mtime = 1795428000;
const std::string mtime_text = "Mon, 23 Nov 2026 10:00:00 GMT";
const std::string etag = fmt::format("\"{:x}-{:x}\"", mtime, 10);  // "6922d7a0-a" for a 10-byte file
}  // namespace

TEST_CASE("Last-Modified and an nginx-style ETag, both change with the file", "[stage5]") {
    auto server = prepare_stage5();
    const auto file = server->folder.write("site/f.txt", "0123456789");
    set_mtime(file, mtime);
    start(*server, site("root $SITE;"));
    RawClient client(server->port);
    const auto first = client.exchange(get("/f.txt"));
    INFO(client.transcript());
    REQUIRE(first);
    CHECK(first->headers.get("Last-Modified") == mtime_text);
    CHECK(first->headers.get("ETag") == etag);
    CHECK(first->headers.get("Accept-Ranges") == "bytes");

    server->folder.write("site/f.txt", "0123456789abcdef");
    set_mtime(file, mtime + 60);
    const auto second = client.exchange(get("/f.txt"));
    REQUIRE(second);
    CHECK(second->headers.get("Last-Modified") == "Mon, 23 Nov 2026 10:01:00 GMT");
    CHECK(second->headers.get("ETag") == fmt::format("\"{:x}-{:x}\"", mtime + 60, 16));
    // The old validators no longer match: the full new file comes.
    const auto revalidated = client.exchange(get("/f.txt", "If-None-Match: " + etag + "\r\n"));
    CHECK(revalidated->status == 200);
    CHECK(revalidated->body == "0123456789abcdef");
}

TEST_CASE("304 Not Modified: If-None-Match (weak, lists, *) and If-Modified-Since", "[stage5]") {
    auto server = prepare_stage5();
    set_mtime(server->folder.write("site/f.txt", "0123456789"), mtime);
    set_mtime(server->folder.write("site/before/f.txt", "0123456789"), mtime);
    set_mtime(server->folder.write("site/off/f.txt", "0123456789"), mtime);
    start(*server, site("root $SITE; expires 1h;\n"
                        "location /before/ { if_modified_since before; }\n"
                        "location /off/ { if_modified_since off; }\n"));
    RawClient client(server->port);
    const auto status = [&](const std::string& path, const std::string& headers) {
        const auto response = client.exchange(get(path, headers));
        return response ? response->status : 0;
    };
    const auto not_modified = client.exchange(get("/f.txt", "If-None-Match: " + etag + "\r\n"));
    INFO(client.transcript());
    REQUIRE(not_modified);
    CHECK(not_modified->status == 304);
    CHECK(not_modified->body.empty());
    CHECK(not_modified->headers.get("ETag") == etag);
    CHECK(not_modified->headers.get("Cache-Control") == "max-age=3600");
    CHECK_FALSE(not_modified->headers.get("Content-Length"));

    CHECK(status("/f.txt", "If-None-Match: W/" + etag + "\r\n") == 304);                  // weak comparison
    CHECK(status("/f.txt", "If-None-Match: \"other\", " + etag + "\r\n") == 304);         // a list
    CHECK(status("/f.txt", "If-None-Match: *\r\n") == 304);
    CHECK(status("/f.txt", "If-None-Match: \"other\"\r\n") == 200);
    CHECK(status("/f.txt", "If-Modified-Since: " + mtime_text + "\r\n") == 304);          // exact (the default)
    CHECK(status("/f.txt", "If-Modified-Since: Tue, 24 Nov 2026 10:00:00 GMT\r\n") == 200);  // not exact
    CHECK(status("/f.txt", "If-Modified-Since: not a date\r\n") == 200);
    CHECK(status("/before/f.txt", "If-Modified-Since: Tue, 24 Nov 2026 10:00:00 GMT\r\n") == 304);
    CHECK(status("/before/f.txt", "If-Modified-Since: Sun, 22 Nov 2026 10:00:00 GMT\r\n") == 200);
    CHECK(status("/off/f.txt", "If-Modified-Since: " + mtime_text + "\r\n") == 200);
    // Both validators sent: both must say "current".
    CHECK(status("/f.txt", "If-None-Match: " + etag + "\r\nIf-Modified-Since: " + mtime_text + "\r\n") == 304);
    CHECK(status("/f.txt", "If-None-Match: \"other\"\r\nIf-Modified-Since: " + mtime_text + "\r\n") == 200);
    CHECK(status("/f.txt", "If-None-Match: " + etag + "\r\nIf-Modified-Since: Sun, 22 Nov 2026 10:00:00 GMT\r\n") == 200);
}

TEST_CASE("412 Precondition Failed: If-Match and If-Unmodified-Since", "[stage5]") {
    auto server = prepare_stage5();
    set_mtime(server->folder.write("site/f.txt", "0123456789"), mtime);
    start(*server, site("root $SITE;"));
    RawClient client(server->port);
    const auto status = [&](const std::string& headers) {
        const auto response = client.exchange(get("/f.txt", headers));
        return response ? response->status : 0;
    };
    CHECK(status("If-Match: " + etag + "\r\n") == 200);
    CHECK(status("If-Match: *\r\n") == 200);
    CHECK(status("If-Match: \"other\"\r\n") == 412);
    const auto failed = client.exchange(get("/f.txt", "If-Match: \"other\"\r\n"));
    CHECK(failed->reason == "Precondition Failed");
    CHECK(status("If-Match: W/" + etag + "\r\n") == 412);  // If-Match compares strongly
    CHECK(status("If-Unmodified-Since: " + mtime_text + "\r\n") == 200);
    CHECK(status("If-Unmodified-Since: Sun, 22 Nov 2026 10:00:00 GMT\r\n") == 412);
}

TEST_CASE("Range: one range, several (multipart/byteranges), suffix, open end", "[stage5]") {
    auto server = prepare_stage5();
    const auto bytes = pattern_bytes(100'000);
    set_mtime(server->folder.write("site/data.bin", bytes), mtime);
    start(*server, "types { application/octet-stream bin; }\n" + site("root $SITE;"));
    RawClient client(server->port);
    const auto one = client.exchange(get("/data.bin", "Range: bytes=1000-1999\r\n"));
    INFO(client.transcript());
    REQUIRE(one);
    CHECK(one->status == 206);
    CHECK(one->headers.get("Content-Range") == "bytes 1000-1999/100000");
    CHECK(one->body == bytes.substr(1000, 1000));
    CHECK(client.answer(get("/data.bin", "Range: bytes=-10\r\n")).body == bytes.substr(99'990));
    CHECK(client.answer(get("/data.bin", "Range: bytes=99995-\r\n")).body == bytes.substr(99'995));
    CHECK(client.answer(get("/data.bin", "Range: bytes=99995-200000\r\n")).body == bytes.substr(99'995));

    const auto several = client.exchange(get("/data.bin", "Range: bytes=0-4, 50000-50009\r\n"));
    REQUIRE(several);
    CHECK(several->status == 206);
    const auto type = std::string(several->headers.get("Content-Type").value_or(""));
    REQUIRE(type.starts_with("multipart/byteranges; boundary="));
    const auto boundary = type.substr(type.find('=') + 1);
    const std::string expected =
        "\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-4/100000\r\n\r\n" +
        bytes.substr(0, 5) + "\r\n--" + boundary +
        "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 50000-50009/100000\r\n\r\n" +
        bytes.substr(50'000, 10) + "\r\n--" + boundary + "--\r\n";
    CHECK(several->body == expected);
}

TEST_CASE("Range: 416 when nothing is satisfiable, ignored when it cannot apply", "[stage5]") {
    auto server = prepare_stage5();
    set_mtime(server->folder.write("site/f.txt", "0123456789"), mtime);
    set_mtime(server->folder.write("site/few/f.txt", "0123456789"), mtime);
    set_mtime(server->folder.write("site/none/f.txt", "0123456789"), mtime);
    start(*server, site("root $SITE;\nlocation /few/ { max_ranges 1; }\nlocation /none/ { max_ranges 0; }\n"));
    RawClient client(server->port);
    const auto unsatisfiable = client.exchange(get("/f.txt", "Range: bytes=10-20\r\n"));
    INFO(client.transcript());
    REQUIRE(unsatisfiable);
    CHECK(unsatisfiable->status == 416);
    CHECK(unsatisfiable->headers.get("Content-Range") == "bytes */10");
    CHECK(client.answer(get("/f.txt", "Range: bytes=abc\r\n")).status == 416);
    CHECK(client.answer(get("/f.txt", "Range: bytes=5-2\r\n")).status == 416);
    CHECK(client.answer(get("/f.txt", "Range: items=0-1\r\n")).status == 200);  // another unit: ignored
    // If-Range: the range only while the file is the one the client knew.
    CHECK(client.answer(get("/f.txt", "Range: bytes=0-1\r\nIf-Range: " + etag + "\r\n")).status == 206);
    CHECK(client.answer(get("/f.txt", "Range: bytes=0-1\r\nIf-Range: " + mtime_text + "\r\n")).status == 206);
    const auto changed = client.exchange(get("/f.txt", "Range: bytes=0-1\r\nIf-Range: \"old\"\r\n"));
    CHECK(changed->status == 200);
    CHECK(changed->body == "0123456789");
    // max_ranges: more ranges than allowed, the whole file; 0 turns ranges off.
    CHECK(client.answer(get("/few/f.txt", "Range: bytes=0-1\r\n")).status == 206);
    CHECK(client.answer(get("/few/f.txt", "Range: bytes=0-1,4-5\r\n")).status == 200);
    const auto none = client.exchange(get("/none/f.txt", "Range: bytes=0-1\r\n"));
    CHECK(none->status == 200);
    CHECK_FALSE(none->headers.get("Accept-Ranges"));
    // Overlapping ranges that add up to more than the file: the whole file.
    CHECK(client.answer(get("/f.txt", "Range: bytes=0-9,0-9\r\n")).status == 200);
}
