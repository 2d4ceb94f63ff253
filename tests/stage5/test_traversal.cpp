// No request gets a byte from outside the root or alias: whatever the
// encoding of "..", whatever symlinks point out, and with the classic
// off-by-slash alias (`location /static { alias .../static/; }`) among the
// locations, which in real nginx leaks the folder above the alias.
#include "catch.hpp"
#include "stage5_server.hpp"
#include "static/safe_open.hpp"

#include <filesystem>

using namespace webstack::testing;

namespace {
const std::string marker = "TOP-SECRET-MARKER";

// The layout: secrets beside and above the served folders.
//   secret.txt, app/secret.txt          must never be served
//   site/            root                  site/static/escape -> ../../secret.txt
//   app/static/      alias of /static and /assets/
void write_layout(Stage5& server) {
    server.folder.write("secret.txt", marker + " (beside the site)\n");
    server.folder.write("app/secret.txt", marker + " (beside the alias)\n");
    server.folder.write("site/index.html", "home\n");
    server.folder.write("site/files/ok.txt", "ok\n");
    server.folder.write("app/static/ok.css", "ok\n");
    std::filesystem::create_symlink("../../secret.txt", server.folder.path() / "site/files/escape");
    std::filesystem::create_symlink("../secret.txt", server.folder.path() / "app/static/escape");
}

// Symlinks that stay inside the root: site/files/inside and
// site/strict/inside, each to the real.txt beside it.
void write_symlinks_inside(Stage5& server) {
    for (const std::string folder : {"site/files/", "site/strict/"}) {
        server.folder.write(folder + "real.txt", "real\n");
        std::filesystem::create_symlink("real.txt", server.folder.path() / (folder + "inside"));
    }
}

std::string sites(const Stage5& server) {
    const auto app = (server.folder.path() / "app").string();
    return site("root $SITE;\n"
                "location /static { alias " + app + "/static/; }\n"  // the off-by-slash trap
                "location /assets/ { alias " + app + "/static/; }\n"
                "location /files/ { }\n");
}

// Hostile targets: every prefix, with every way of writing "go up" we know.
std::vector<std::string> hostile_targets() {
    const std::vector<std::string> prefixes = {"/", "/static", "/static/", "/assets/", "/files/", "/assets/sub/"};
    const std::vector<std::string> climbs = {
        "../",       "..%2f",        "..%2F",      "%2e%2e/",        "%2E%2E%2F",     ".%2e/",
        "%2e./",     "..\\",         "..%5c",      "%c0%ae%c0%ae/",  "%252e%252e/",   "....//",
        "..;/",      "%e0%80%ae%e0%80%ae/", ".../", "..%c0%af",
    };
    std::vector<std::string> targets;
    for (const auto& prefix : prefixes) {
        for (const auto& climb : climbs) targets.push_back(prefix + climb + climb + climb + "secret.txt");
    }
    const std::vector<std::string> others = {
        "/static../secret.txt",          "/static../app/secret.txt",     "/static..%2fsecret.txt",
        "/static%2e%2e/secret.txt",      "/static.%2e/secret.txt",       "/assets../secret.txt",
        "/files/escape",                 "/assets/escape",               "/static/escape",
        "/static../static/escape",       "//secret.txt",                 "///../secret.txt",
        "/%2fsecret.txt",                "/files//..//..//secret.txt",   "/files/./../../secret.txt",
        "/secret.txt%00.css",            "/files/ok.txt%00/../../../secret.txt",
        "http://localhost/../secret.txt", "http://localhost/static../secret.txt",
        "/files/ok.txt/../../../secret.txt", "/static/..", "/static../", "/assets/..%2f",
    };
    targets.insert(targets.end(), others.begin(), others.end());
    return targets;
}
}  // namespace

TEST_CASE("no hostile path reaches a file outside the root or alias", "[stage5]") {
    auto server = prepare_stage5();
    write_layout(*server);
    start(*server, sites(*server));
    const auto targets = hostile_targets();
    REQUIRE(targets.size() >= 50);
    int answered = 0;
    for (const auto& target : targets) {
        RawClient client(server->port);
        const auto response = client.exchange("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        INFO(target);
        INFO(client.transcript());
        if (!response) continue;  // closed without an answer: nothing leaked either
        ++answered;
        CHECK(response->body.find(marker) == std::string::npos);
        // "/static/.." is "/" once its dot segments go: the site's own home page, fine.
        if (response->status == 200) CHECK(response->body == "home\n");
        CHECK(response->status < 500);
    }
    CHECK(answered == static_cast<int>(targets.size()));
    // Raw bytes no client should send: a NUL, a backslash path, a bare "..".
    for (const std::string& target : {std::string("/files/ok.txt\0/../../secret.txt", 32), std::string(".."),
                                      std::string("\\..\\secret.txt"), std::string("*")}) {
        RawClient client(server->port);
        const auto response = client.exchange("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        if (response) CHECK(response->body.find(marker) == std::string::npos);
    }
    // And the server still serves what it should.
    RawClient client(server->port);
    CHECK(client.answer(get("/files/ok.txt")).body == "ok\n");
    CHECK(client.answer(get("/static/ok.css")).body == "ok\n");
    CHECK(client.answer(get("/assets/ok.css")).body == "ok\n");
}

// A revalidation is first answered by only looking at the file (O_PATH,
// static_handler.cpp's not_modified_at_a_look): that look must refuse
// exactly what opening the file refuses. "If-None-Match: *" matches any
// file there is, so a 304 where the plain request gets no 200 would tell
// the client that a file outside the root exists.
TEST_CASE("a revalidation is refused wherever the plain request is", "[stage5]") {
    auto server = prepare_stage5();
    write_layout(*server);
    write_symlinks_inside(*server);
    server->folder.write("site/strict/folder/a.txt", "a\n");
    start(*server, sites(*server) + site("location /strict/ { disable_symlinks on; }\n"));
    auto targets = hostile_targets();
    for (const char* more : {"/files/inside", "/strict/inside", "/strict/real.txt", "/strict/folder", "/files/ok.txt",
                             "/static/ok.css", "/nothing.txt"})
        targets.push_back(more);
    int not_modified = 0;
    for (const auto& target : targets) {
        RawClient client(server->port), second(server->port);  // a 400 closes the connection
        const auto plain = client.exchange("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        const auto revalidated = second.exchange("GET " + target +
                                                 " HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: *\r\n\r\n");
        INFO(target);
        INFO(client.transcript());
        INFO(second.transcript());
        if (!plain) continue;  // closed without an answer: nothing to compare
        REQUIRE(revalidated);
        if (plain->status == 200) {
            CHECK(revalidated->status == 304);
            ++not_modified;
        } else {
            CHECK(revalidated->status == plain->status);
        }
    }
    CHECK(not_modified >= 4);  // the site's own files still revalidate
}

TEST_CASE("surely_readable: a look skips the read permission only where everyone may read", "[stage5]") {
    using webstack::stage5::surely_readable;
    const auto file = [](uid_t owner, mode_t mode) {
        struct stat info {};
        info.st_uid = owner;
        info.st_mode = S_IFREG | mode;
        return info;
    };
    CHECK(surely_readable(file(1000, 0644), 33));
    CHECK(surely_readable(file(33, 0644), 33));
    CHECK(surely_readable(file(1000, 0000), 0));       // root
    CHECK_FALSE(surely_readable(file(1000, 0640), 33));  // others may not: is 33 in the group? open and see
    CHECK_FALSE(surely_readable(file(1000, 0604), 33));  // the group may not, and 33 may be in it
    CHECK_FALSE(surely_readable(file(33, 0044), 33));    // the owner may not, though everyone else may
    CHECK_FALSE(surely_readable(file(1000, 0600), 33));
}

TEST_CASE("the off-by-slash alias: nginx's classic leak, refused here", "[stage5]") {
    auto server = prepare_stage5();
    write_layout(*server);
    start(*server, sites(*server));
    RawClient client(server->port);
    // "/static../secret.txt" matches `location /static`; with the alias
    // "app/static/" it becomes app/static/../secret.txt in real nginx.
    const auto response = client.exchange("GET /static../secret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 403);
    CHECK(response->body.find(marker) == std::string::npos);
    CHECK(server->process->wait_for_output("app/static/\\.\\./secret\\.txt\" failed \\(18: the path leaves the root or alias\\)"));
    // -t says it too, as a warning (the config still loads).
    const auto checked = run_command({binary("stage5-static-files"), "-t", "-c", (server->folder.path() / "nginx.conf").string()});
    CHECK(checked.exit_status == 0);
    CHECK(checked.output.find("[warn] location \"/static\" does not end with \"/\" but its alias") != std::string::npos);
}

TEST_CASE("symlinks: inside the root followed, leaving it refused, disable_symlinks on|off", "[stage5]") {
    auto server = prepare_stage5();
    write_layout(*server);
    write_symlinks_inside(*server);
    server->folder.write("site/open/real.txt", "real\n");
    std::filesystem::create_symlink("../../secret.txt", server->folder.path() / "site/open/escape");
    start(*server, site("root $SITE;\n"
                        "location /strict/ { disable_symlinks on; }\n"
                        "location /open/ { disable_symlinks off; }\n"));
    RawClient client(server->port);
    CHECK(client.answer(get("/files/inside")).body == "real\n");     // stays inside: followed
    CHECK(client.answer(get("/files/escape")).status == 403);       // leaves: refused (our default)
    CHECK(client.answer(get("/strict/inside")).status == 403);      // on: no symlink at all
    CHECK(client.answer(get("/strict/real.txt")).body == "real\n");
    // off: nginx's own default, followed wherever it goes. The learner opted in.
    CHECK(client.answer(get("/open/escape")).body.find(marker) != std::string::npos);
}
