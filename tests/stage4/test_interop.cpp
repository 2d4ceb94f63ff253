// The real programs on either side of ours: stage 4 in front of stage 3
// with the examples/ config, and in front of real gunicorn.
#include "catch.hpp"
#include "stage4_proxy.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace webstack::testing;
namespace fs = std::filesystem;

namespace {
std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}
}  // namespace

TEST_CASE("the examples config serves the lifecycle site through stage3", "[stage4][interop]") {
    ServerProcess app_server(binary("stage3-prefork-server"),
                             {"lifecycle:application", "--workers", "2", "--bind", "127.0.0.1:0"});
    const int app_port = app_server.port();

    // The examples/ files as they are, with only the ports changed, and the
    // site switched on with a link, as the tutorial does it.
    ConfigFolder folder;
    const fs::path examples = fs::path(WEBSTACK_SOURCE_DIR) / "examples";
    const auto config = folder.write("nginx.conf", read_file(examples / "nginx.conf"));
    folder.write("sites-available/lifecycle",
                 replace_all(replace_all(read_file(examples / "sites-available/lifecycle"), "127.0.0.1:8000",
                                         "127.0.0.1:" + std::to_string(app_port)),
                             "127.0.0.1:8080", "127.0.0.1:0"));
    fs::create_directories(folder.path() / "sites-enabled");
    fs::create_symlink("../sites-available/lifecycle", folder.path() / "sites-enabled/lifecycle");
    REQUIRE(run_command({binary("stage4-reverse-proxy"), "-t", "-c", config}).exit_status == 0);

    ServerProcess proxy(binary("stage4-reverse-proxy"), {"-c", config});
    RawClient client(proxy.port());
    const auto page = client.exchange(get("/"));
    INFO(client.transcript());
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->body.find("<title>Articles</title>") != std::string::npos);
    // Our access log, in nginx's combined format, records it.
    CHECK(client.answer(get("/articles/1/")).status == 200);
    CHECK(proxy.wait_for_output(R"("GET /articles/1/ HTTP/1\.1" 200 \d+)"));
}

TEST_CASE("real gunicorn behind stage4 serves the seed article's hello world", "[stage4][interop]") {
    skip_unless_installed("gunicorn");
    const int app_port = free_port();
    ServerProcess gunicorn("gunicorn", {"--chdir", std::string(WEBSTACK_SOURCE_DIR) + "/bench/apps", "--bind",
                                        "127.0.0.1:" + std::to_string(app_port), "--workers", "1",
                                        "hello_world:process_http_request"});
    REQUIRE(wait_for_port(app_port, 10s));
    auto proxy = start_stage4(proxy_site(app_port, "proxy_set_header Host $http_host;\n"
                                                   "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"));
    RawClient client(proxy->port);
    const auto response = client.exchange(get("/"));
    INFO(client.transcript() << "\ngunicorn:\n" << gunicorn.output());
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body == "Hello World");
    CHECK(response->headers.get("Server") == "webstack");
    // gunicorn's sync worker closes each connection; ours stays open for the client.
    CHECK(client.answer(get("/")).body == "Hello World");
}
