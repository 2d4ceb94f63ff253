// The configurations people really have, in examples/, run by stage 5 as
// they are, with only their ports and paths changed: Debian's stock
// nginx.conf, the one in Gunicorn's deployment documentation, and a Django
// production site behind HTTPS.
#include "catch.hpp"
#include "scripted_upstream.hpp"
#include "stage5_server.hpp"

#include "proxy/tls.hpp"

#include <fstream>
#include <sstream>

using namespace webstack::testing;

namespace {

const std::filesystem::path examples = std::filesystem::path(WEBSTACK_SOURCE_DIR) / "examples";

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// `text` with every `from` replaced by `to`: the ports a test may change.
std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
    return text;
}

}  // namespace

TEST_CASE("Debian's stock nginx.conf passes -t with its paths moved", "[stage5]") {
    const auto checked = run_command({binary("stage5-static-files"), "-p", (examples / "debian").string(), "-c", "nginx.conf", "-t"});
    INFO(checked.output);
    CHECK(checked.exit_status == 0);
    CHECK(checked.output.find("test is successful") != std::string::npos);
    // The same file, untouched, is what Debian's nginx reads (where it is installed).
    if (!std::filesystem::exists("/usr/sbin/nginx")) return;
    const auto theirs = run_command({"/usr/sbin/nginx", "-p", (examples / "debian").string() + "/", "-c", "nginx.conf", "-t"});
    INFO(theirs.output);
    CHECK(theirs.exit_status == 0);
}

TEST_CASE("the nginx config of Gunicorn's deployment documentation serves as it says", "[stage5]") {
    ScriptedUpstream app("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\napp", ScriptedUpstream::Behaviour::KeepAlive);
    ConfigFolder folder;
    std::filesystem::copy(examples / "gunicorn-docs", folder.path(), std::filesystem::copy_options::recursive);
    const int port = free_port();
    auto text = read_text(examples / "gunicorn-docs/nginx.conf");
    text = replace_all(text, "listen 8080", "listen 127.0.0.1:" + std::to_string(port));
    text = replace_all(text, "127.0.0.1:8000", "127.0.0.1:" + std::to_string(app.port()));
    folder.write("nginx.conf", text);
    std::filesystem::permissions(folder.path(), std::filesystem::perms::others_read | std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add);  // `user nobody`: the workers read public/
    ServerProcess proxy(binary("stage5-static-files"), {"-p", folder.path().string(), "-c", "nginx.conf", "-e", "stderr"});
    REQUIRE(wait_for_port(port, 5s));

    RawClient client(port);
    // try_files: a file of public/ from disk, anything else from the app.
    const auto robots = client.answer("GET /robots.txt HTTP/1.1\r\nHost: example.com\r\n\r\n");
    CHECK(robots.body.find("served by the proxy") != std::string::npos);
    CHECK(client.answer("GET /articles/ HTTP/1.1\r\nHost: example.com\r\n\r\n").body == "app");
    REQUIRE(app.wait_for_requests(1));
    const auto request = app.requests()[0];
    CHECK(request.find("Host: example.com\r\n") != std::string::npos);          // $http_host
    CHECK(request.find("X-Forwarded-Proto: http\r\n") != std::string::npos);    // $scheme
    CHECK(request.find("X-Forwarded-For: 127.0.0.1\r\n") != std::string::npos);
    // An unknown Host: the default server's `return 444`, a close without a word.
    RawClient stranger(port);
    REQUIRE(stranger.send("GET / HTTP/1.1\r\nHost: attacker.example\r\n\r\n"));
    CHECK_FALSE(stranger.read_response("GET", 2s));  // no answer at all...
    CHECK(stranger.wait_for_close());                 // ...and the connection closed
}

TEST_CASE("the Django production site: HTTPS, the redirect, static files with expires and gzip, media", "[stage5]") {
    if (!webstack::stage4::have_tls()) return;  // -t refuses listen ... ssl (test_config.cpp)
    ScriptedUpstream django("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 6\r\n\r\ndjango",
                            ScriptedUpstream::Behaviour::KeepAlive);
    ConfigFolder folder;
    const auto tree = folder.path() / "examples";
    std::filesystem::create_directories(tree / "sites-available");
    std::filesystem::copy(examples / "nginx-django-https.conf", tree / "nginx-django-https.conf");
    std::filesystem::copy(examples / "mime.types", tree / "mime.types");
    folder.write("examples/django/static/pages/style.css", std::string(600, 'a') + "{ color: teal }\n");
    folder.write("examples/django/media/example.txt", "an upload\n");
    const int http_port = free_port(), https_port = free_port();
    auto site = read_text(examples / "sites-available/django-production");
    site = replace_all(site, "127.0.0.1:8080", "127.0.0.1:" + std::to_string(http_port));
    site = replace_all(site, "8443", std::to_string(https_port));
    site = replace_all(site, "127.0.0.1:8000", "127.0.0.1:" + std::to_string(django.port()));
    folder.write("examples/sites-available/django-production", site);
    const auto made = run_command({std::string(WEBSTACK_SOURCE_DIR) + "/scripts/make-certificate",
                                   (folder.path() / "build/certificate").string()});
    REQUIRE(made.exit_status == 0);
    ServerProcess proxy(binary("stage5-static-files"), {"-c", (tree / "nginx-django-https.conf").string()});
    REQUIRE(wait_for_port(https_port, 5s));

    RawClient plain(http_port);
    const auto redirect = plain.answer("GET /accounts/?next=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(redirect.status == 301);
    CHECK(redirect.headers.get("Location") == "https://localhost:" + std::to_string(https_port) + "/accounts/?next=1");

    const std::string base = "https://localhost:" + std::to_string(https_port);
    const auto cert = (folder.path() / "build/certificate/cert.pem").string();
    const auto curl = [&](const std::vector<std::string>& extra) {
        std::vector<std::string> command = {"curl", "-sS", "-i", "--cacert", cert, "--resolve",
                                            "localhost:" + std::to_string(https_port) + ":127.0.0.1"};
        command.insert(command.end(), extra.begin(), extra.end());
        return run_command(command).output;
    };
    const auto page = curl({base + "/"});
    INFO(page);
    CHECK(page.find("\r\n\r\ndjango") != std::string::npos);
    REQUIRE(django.wait_for_requests(1));
    CHECK(django.requests()[0].find("X-Forwarded-Proto: https\r\n") != std::string::npos);
    const auto css = curl({"--compressed", base + "/static/pages/style.css"});
    INFO(css);
    CHECK(css.find("Content-Encoding: gzip") != std::string::npos);
    CHECK(css.find("Cache-Control: max-age=2592000") != std::string::npos);  // expires 30d
    CHECK(css.find("{ color: teal }") != std::string::npos);                 // curl took it apart again
    CHECK(curl({base + "/media/example.txt"}).find("an upload") != std::string::npos);
}
