// --reload: new code on disk means a new process, on the same socket.
#include "catch.hpp"
#include "stage2_server.hpp"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <future>
#include <unistd.h>

using namespace webstack::testing;
namespace fs = std::filesystem;

TEST_CASE("with --reload a changed .so restarts the server and no client is refused", "[stage2][slow]") {
    const fs::path folder = fs::temp_directory_path() / ("webstack-reload-" + std::to_string(::getpid()));
    fs::create_directories(folder);
    fs::copy_file(binary("../apps/hello_world.so"), folder / "site.so", fs::copy_options::overwrite_existing);

    ServerProcess server(binary("stage2-wsgi-callable"),
                         {"site:process_http_request", "--reload", "--app-path", folder.string(), "--bind", "127.0.0.1:0"});
    const int port = server.port();
    REQUIRE(RawClient(port).answer(get("/", "Connection: close\r\n")).body == "Hello World");

    // Clients keep coming while the code changes under the server.
    std::atomic<bool> done = false;
    auto clients = std::async(std::launch::async, [&] {
        int failures = 0;
        while (!done) {
            auto client = RawClient::try_connect(port);  // no Catch2 macros off the main thread
            auto response = client ? client->exchange(get("/", "Connection: close\r\n"), 5s) : std::nullopt;
            if (!response || response->status != 200) ++failures;
        }
        return failures;
    });

    // A new version arrives the way a build writes it: a new file, renamed into place.
    fs::copy_file(binary("../test-apps/reload_v2.so"), folder / "site.so.new", fs::copy_options::overwrite_existing);
    fs::rename(folder / "site.so.new", folder / "site.so");
    CHECK(server.wait_for_output("site.so changed, reloading.", 10s));
    CHECK(server.wait_for_occurrences("Listening at: ", 2, 5s));  // the new process is up

    bool reloaded = false;
    for (int attempt = 0; attempt < 50 && !reloaded; ++attempt) {
        auto response = RawClient(port).exchange(get("/", "Connection: close\r\n"));
        reloaded = response && response->body == "Hello again, from the reloaded code\n";
    }
    done = true;
    CHECK(reloaded);
    CHECK(clients.get() == 0);
    server.send_signal(SIGTERM);
    CHECK(server.wait_for_exit(3s) == 0);
    fs::remove_all(folder);
}
