// MODULE:CALLABLE: found on the app path, or a clear line and exit status 4.
#include "catch.hpp"
#include "stage2_server.hpp"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace webstack::testing;

namespace {
CommandResult run_stage2(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), binary("stage2-wsgi-callable"));
    return run_command(arguments);
}
}  // namespace

TEST_CASE("apps that cannot be loaded exit with status 4 and one clear line", "[stage2]") {
    const std::string not_an_app = "/tmp/webstack-not-an-app-" + std::to_string(::getpid()) + ".so";
    std::ofstream(not_an_app) << "this is not a shared object";
    const auto [spec, message] = GENERATE_COPY(table<std::string, std::string>({
        {"no_such_module:application", "no module named no_such_module: looked for no_such_module.py in"},
        {"hello_world:no_such_callable", "has no application named \"no_such_callable\""},
        {"hello_world:", "is not MODULE:CALLABLE"},
        {":application", "is not MODULE:CALLABLE"},
        {"testing:from_the_future", "was built against contract version 3, this server speaks version 2"},
        {not_an_app.substr(0, not_an_app.size() - 3), "cannot load"},
    }));
    const auto result = run_stage2({spec, "--app-path", test_apps_dir(), "--bind", "127.0.0.1:0"});
    INFO(result.output);
    CHECK(result.exit_status == 4);
    CHECK(result.output.find("Error: App failed to load: ") != std::string::npos);
    CHECK(result.output.find(message) != std::string::npos);
    CHECK(result.output.find("terminate") == std::string::npos);
    std::remove(not_an_app.c_str());
}

TEST_CASE("CALLABLE defaults to application and MODULE may be a path", "[stage2]") {
    auto by_default = start_stage2("testing");
    RawClient client(by_default->port());
    CHECK(client.answer(get("/")).body == "default callable\n");

    auto by_path = std::make_unique<ServerProcess>(
        binary("stage2-wsgi-callable"),
        std::vector<std::string>{test_apps_dir() + "/testing.so:stream", "--bind", "127.0.0.1:0"});
    RawClient second(by_path->port());
    CHECK(second.answer(get("/?n=1")).body == "chunk 0\n");
}

TEST_CASE("apps are found beside the executable without --app-path", "[stage2]") {
    // The server runs from /tmp: the apps folder is found from the binary.
    auto server = std::make_unique<ServerProcess>(
        "/bin/sh", std::vector<std::string>{"-c", "cd /tmp && exec " + binary("stage2-wsgi-callable") +
                                                      " hello_world:process_http_request --bind 127.0.0.1:0"});
    RawClient client(server->port());
    CHECK(client.answer(get("/")).body == "Hello World");
}

TEST_CASE("stage2 bad flags exit 2 and a busy port exits 1", "[stage2]") {
    const auto no_app = run_stage2({});
    CHECK(no_app.exit_status == 2);
    CHECK(no_app.output.find("app is required") != std::string::npos);
    const auto bad_flag = run_stage2({"hello_world:process_http_request", "--no-such-flag"});
    CHECK(bad_flag.exit_status == 2);

    auto first = start_stage2("hello_world:process_http_request");
    const auto busy = run_stage2({"hello_world:process_http_request", "--bind",
                                  "127.0.0.1:" + std::to_string(first->port())});
    INFO(busy.output);
    CHECK(busy.exit_status == 1);
    CHECK(busy.output.find("is already in use") != std::string::npos);
}

TEST_CASE("stage2 exits 0 on SIGTERM", "[stage2]") {
    auto server = start_stage2("hello_world:process_http_request");
    server->port();
    server->send_signal(SIGTERM);
    CHECK(server->wait_for_exit(3s) == 0);
}
