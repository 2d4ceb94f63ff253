// The master and its workers: worker_processes, reload on HUP, -s.
#include "catch.hpp"
#include "scripted_upstream.hpp"
#include "stage4_proxy.hpp"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <future>
#include <fstream>
#include <set>
#include <thread>

using namespace webstack::testing;

namespace {
std::string site(const std::string& answer) {
    return "server { listen 127.0.0.1:0; location / { return 200 \"" + answer + "\"; } }\n";
}

// nginx_conf() with another worker_processes.
std::string with_workers(int count, const std::string& http_contents) {
    auto text = nginx_conf(http_contents);
    return text.replace(text.find("worker_processes 1;"), 19, "worker_processes " + std::to_string(count) + ";");
}

std::string fetch_body(int port) {
    auto client = RawClient::try_connect(port);
    if (!client) return "refused";
    const auto response = client->exchange(get("/", "Connection: close\r\n"), 5s);
    return response ? response->body : "no answer";
}
}  // namespace

TEST_CASE("worker_processes forks that many workers, which all serve", "[stage4]") {
    auto proxy = std::make_unique<Stage4>();
    const auto config = proxy->folder.write("nginx.conf", with_workers(3, site("hello")));
    proxy->process = std::make_unique<ServerProcess>(binary("stage4-reverse-proxy"), std::vector<std::string>{"-c", config});
    proxy->port = proxy->process->port();
    REQUIRE(proxy->process->wait_for_occurrences("start worker process ", 3));
    CHECK(children_of(proxy->process->pid()).size() == 3);
    for (int i = 0; i < 20; ++i) CHECK(fetch_body(proxy->port) == "hello");
    proxy->process->send_signal(SIGQUIT);
    CHECK(proxy->process->wait_for_exit(5s) == 0);
}

TEST_CASE("Ctrl-C stops the master and its workers without replacing any", "[stage4]") {
    // The worker and the master both get the Ctrl-C; which of them sees it
    // first is a race, so the test runs it a few times.
    for (int round = 0; round < 4; ++round) {
        auto proxy = std::make_unique<Stage4>();
        const auto config = proxy->folder.write("nginx.conf", nginx_conf(site("hello")));
        proxy->process =
            std::make_unique<ServerProcess>(binary("stage4-reverse-proxy"), std::vector<std::string>{"-c", config});
        REQUIRE(fetch_body(proxy->process->port()) == "hello");  // the worker is up and serving
        // A terminal's Ctrl-C: SIGINT to the whole process group, worker and master at once.
        ::kill(-proxy->process->pid(), SIGINT);
        CHECK(proxy->process->wait_for_exit(5s) == 0);
        const auto output = proxy->process->output();
        INFO(output);
        std::size_t starts = 0;
        for (auto at = output.find("start worker process "); at != std::string::npos;
             at = output.find("start worker process ", at + 1))
            ++starts;
        CHECK(starts == 1);  // no worker was started to replace the one that stopped for the Ctrl-C
        CHECK(output.find("was sent") == std::string::npos);  // and none is reported killed
    }
}

TEST_CASE("HUP reloads the config while requests keep coming, and none fails", "[stage4]") {
    auto proxy = std::make_unique<Stage4>();
    const auto config = proxy->folder.write("nginx.conf", with_workers(2, site("old")));
    proxy->process = std::make_unique<ServerProcess>(binary("stage4-reverse-proxy"), std::vector<std::string>{"-c", config});
    const int port = proxy->process->port();
    REQUIRE(fetch_body(port) == "old");

    std::atomic<bool> done = false;
    auto clients = std::async(std::launch::async, [&] {
        std::set<std::string> seen;  // no Catch2 macros off the main thread
        while (!done) seen.insert(fetch_body(port));
        return seen;
    });
    proxy->folder.write("nginx.conf", with_workers(2, site("new")));
    proxy->process->send_signal(SIGHUP);
    bool reloaded = false;
    for (int i = 0; i < 200 && !reloaded; ++i) {
        reloaded = fetch_body(port) == "new";
        if (!reloaded) std::this_thread::sleep_for(20ms);
    }
    done = true;
    const auto seen = clients.get();
    CHECK(reloaded);
    INFO(proxy->process->output());
    for (const auto& body : seen) CHECK((body == "old" || body == "new"));  // never refused, never cut
}

TEST_CASE("HUP with a broken config keeps the old one serving", "[stage4]") {
    auto proxy = std::make_unique<Stage4>();
    const auto config = proxy->folder.write("nginx.conf", nginx_conf(site("still here")));
    proxy->process = std::make_unique<ServerProcess>(binary("stage4-reverse-proxy"), std::vector<std::string>{"-c", config});
    const int port = proxy->process->port();
    proxy->folder.write("nginx.conf", nginx_conf("server { listen 127.0.0.1:0; location / { proxy_pas x; } }\n"));
    proxy->process->send_signal(SIGHUP);
    CHECK(proxy->process->wait_for_output("\\[crit\\] \\d+#0: unknown directive \"proxy_pas\" in " + config + ":5"));
    CHECK(fetch_body(port) == "still here");
    CHECK(proxy->process->running());
}

TEST_CASE("reload and quit through -s find the master by its pid file", "[stage4]") {
    auto proxy = std::make_unique<Stage4>();
    const auto config = proxy->folder.write("nginx.conf", nginx_conf(site("first")));
    proxy->process = std::make_unique<ServerProcess>(binary("stage4-reverse-proxy"), std::vector<std::string>{"-c", config});
    const int port = proxy->process->port();
    CHECK(std::filesystem::exists(proxy->folder.path() / "nginx.pid"));  // beside the config, by default

    proxy->folder.write("nginx.conf", nginx_conf(site("second")));
    CHECK(run_command({binary("stage4-reverse-proxy"), "-c", config, "-s", "reload"}).exit_status == 0);
    bool reloaded = false;
    for (int i = 0; i < 200 && !reloaded; ++i) {
        reloaded = fetch_body(port) == "second";
        if (!reloaded) std::this_thread::sleep_for(20ms);
    }
    CHECK(reloaded);
    CHECK(run_command({binary("stage4-reverse-proxy"), "-c", config, "-s", "quit"}).exit_status == 0);
    CHECK(proxy->process->wait_for_exit(5s) == 0);
    CHECK_FALSE(std::filesystem::exists(proxy->folder.path() / "nginx.pid"));

    const auto nobody = run_command({binary("stage4-reverse-proxy"), "-c", config, "-s", "stop"});
    CHECK(nobody.exit_status == 1);
    CHECK(nobody.output.find("nginx.pid") != std::string::npos);
    const auto bad = run_command({binary("stage4-reverse-proxy"), "-c", config, "-s", "restart"});
    CHECK(bad.exit_status == 1);
}

TEST_CASE("the reopen signal (through -s) reopens the log files after a rotation", "[stage4]") {
    auto proxy = std::make_unique<Stage4>();
    auto text = nginx_conf(site("logged"));
    text.replace(text.find("access_log /dev/stdout combined;"), 32, "access_log logs/access.log combined;");
    const auto config = proxy->folder.write("nginx.conf", text);
    std::filesystem::create_directories(proxy->folder.path() / "logs");
    proxy->process = std::make_unique<ServerProcess>(binary("stage4-reverse-proxy"), std::vector<std::string>{"-c", config});
    const int port = proxy->process->port();
    const auto log_file = proxy->folder.path() / "logs/access.log";
    REQUIRE(fetch_body(port) == "logged");
    // logrotate's way: move the file, then ask for a new one.
    std::filesystem::rename(log_file, proxy->folder.path() / "logs/access.log.1");
    CHECK(run_command({binary("stage4-reverse-proxy"), "-c", config, "-s", "reopen"}).exit_status == 0);
    bool reopened = false;
    for (int i = 0; i < 100 && !reopened; ++i) {
        std::this_thread::sleep_for(20ms);
        reopened = std::filesystem::exists(log_file);
    }
    REQUIRE(reopened);
    CHECK(fetch_body(port) == "logged");  // the worker survived USR1
    bool written = false;
    for (int i = 0; i < 100 && !written; ++i) {
        std::this_thread::sleep_for(20ms);
        written = std::filesystem::file_size(log_file) > 0;
    }
    CHECK(written);
    INFO(proxy->process->output());
    CHECK(proxy->process->output().find("Worker (pid:") == std::string::npos);  // no worker died
}
