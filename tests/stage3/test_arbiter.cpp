// The arbiter's policies, on the real master with scripted workers
// (arbiter_harness.cpp): what a crash after booting costs, how far TTIN
// goes, what a second stop signal does to a graceful stop in each dialect,
// and that a stream of signals cannot postpone the timeout checks.
#include "catch.hpp"
#include "arbiter/arbiter.hpp"
#include "stage3_server.hpp"

#include <csignal>
#include <thread>

using namespace webstack::testing;
using Clock = std::chrono::steady_clock;

namespace {
std::unique_ptr<ServerProcess> start_harness(std::vector<std::string> arguments) {
    auto harness = std::make_unique<ServerProcess>(std::string(WEBSTACK_TEST_APPS_DIR) + "/arbiter-harness",
                                                   std::move(arguments));
    REQUIRE(harness->wait_for_output("Listening at"));
    return harness;
}
}  // namespace

TEST_CASE("a worker that throws after booting is replaced, and the server goes on", "[stage3]") {
    auto harness = start_harness({"--worker", "throw-after-boot"});
    INFO(harness->output());
    CHECK(harness->wait_for_output("Exception in worker process: thrown after booting"));
    CHECK(harness->wait_for_output(R"(Worker \(pid:\d+\) exited with code 255)"));
    CHECK(harness->wait_for_occurrences("Booting worker with pid", 2));  // its replacement
    CHECK(harness->running());
    harness->send_signal(SIGTERM);
    CHECK(harness->wait_for_exit() == 0);
    CHECK(harness->output().find("Worker failed to boot") == std::string::npos);
}

TEST_CASE("a worker that throws before booting stops the server: Worker failed to boot, status 3", "[stage3]") {
    auto harness = start_harness({"--worker", "throw-before-boot"});
    const auto status = harness->wait_for_exit();
    INFO(harness->output());
    REQUIRE(status);
    CHECK(*status == 3);
    CHECK(harness->output().find("Reason: Worker failed to boot.") != std::string::npos);
}

TEST_CASE("TTIN stops at --max-workers, with a line that says so", "[stage3]") {
    auto server = start_stage3("testing:worker_pid", {"-w", "1", "--max-workers", "2"});
    server->port();
    REQUIRE(wait_for_boots(*server, 1));
    server->send_signal(SIGTTIN);
    REQUIRE(wait_for_boots(*server, 2));
    server->send_signal(SIGTTIN);
    INFO(server->output());
    CHECK(server->wait_for_output("TTIN ignored: 2 workers is the most this master watches"));
    CHECK_FALSE(wait_for_boots(*server, 3, 500ms));
}

// Gunicorn's stop() reads no signal: a Ctrl-C during a graceful stop
// changes nothing, and the workers finish their work.
TEST_CASE("Gunicorn's dialect: INT during a graceful stop lets the workers finish", "[stage3]") {
    auto harness = start_harness({"--worker", "serve", "--finish", "2"});
    REQUIRE(harness->wait_for_occurrences("Booting worker with pid", 1));
    const auto start = Clock::now();
    harness->send_signal(SIGTERM);
    std::this_thread::sleep_for(300ms);
    harness->send_signal(SIGINT);
    const auto status = harness->wait_for_exit(5s);
    INFO(harness->output());
    REQUIRE(status);
    CHECK(*status == 0);
    CHECK(harness->output().find("Worker finished its work") != std::string::npos);
    CHECK(harness->output().find("Worker stopped at once") == std::string::npos);
    CHECK(Clock::now() - start > 1500ms);
}

// nginx's master checks for a fast stop before a graceful one: TERM during
// a graceful QUIT stops the workers at once.
TEST_CASE("nginx's dialect: TERM during a graceful QUIT turns it into a fast stop", "[stage3]") {
    auto harness = start_harness({"--worker", "serve", "--dialect", "nginx", "--finish", "10"});
    REQUIRE(harness->wait_for_occurrences("Booting worker with pid", 1));
    const auto start = Clock::now();
    harness->send_signal(SIGQUIT);
    std::this_thread::sleep_for(300ms);
    harness->send_signal(SIGTERM);
    const auto status = harness->wait_for_exit(5s);
    INFO(harness->output());
    REQUIRE(status);
    CHECK(*status == 0);
    CHECK(harness->output().find("Worker stopped at once") != std::string::npos);
    CHECK(Clock::now() - start < 3s);
}

// arbiter.py checks timeouts after every sleep, also one a signal cut
// short. Checking only when no signal was waiting let signals that queue up
// while the master is busy (here: USR1 work that takes 300 ms, a signal
// every 100 ms) keep a stuck worker alive for ever.
TEST_CASE("a stream of signals does not postpone killing a stuck worker", "[stage3]") {
    auto harness = start_harness({"--worker", "stuck", "--timeout", "1", "--slow-usr1", "300"});
    REQUIRE(harness->wait_for_occurrences("Booting worker with pid", 1));
    const auto give_up = Clock::now() + 5s;
    bool killed = false;
    while (!killed && Clock::now() < give_up) {
        harness->send_signal(SIGUSR1);
        killed = harness->wait_for_output("WORKER TIMEOUT", 100ms).has_value();
    }
    INFO(harness->output());
    CHECK(killed);
}

// The two policies as plain functions.
TEST_CASE("policy: too many workers, the oldest retire first", "[stage3][ex.stage3.retire_oldest]") {
    using webstack::arbiter::workers_to_retire;
    CHECK(workers_to_retire({3, 1, 2}, 3).empty());
    CHECK(workers_to_retire({3, 1, 2}, 2) == std::vector<int>{1});  // TTOU: the oldest goes
    CHECK(workers_to_retire({4, 5, 1, 2}, 2) == std::vector<int>{1, 2});  // HUP: the old set goes, the fresh one stays
    CHECK(workers_to_retire({7}, 1).empty());
    CHECK(workers_to_retire({9, 3, 6, 4}, 1) == std::vector<int>{3, 4, 6});
}

TEST_CASE("policy: a silent worker gets SIGABRT, then SIGKILL", "[stage3]") {
    using webstack::arbiter::timeout_action;
    using webstack::arbiter::TimeoutAction;
    CHECK(timeout_action(1500ms, std::chrono::seconds(2), false) == TimeoutAction::None);
    CHECK(timeout_action(2500ms, std::chrono::seconds(2), false) == TimeoutAction::Abort);
    CHECK(timeout_action(3500ms, std::chrono::seconds(2), true) == TimeoutAction::Kill);
    CHECK(timeout_action(std::chrono::hours(1), std::chrono::seconds(0), false) == TimeoutAction::None);  // --timeout 0
}
