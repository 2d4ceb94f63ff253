// The arbiter's policies, on the real master with scripted workers
// (arbiter_harness.cpp): what a crash after booting costs, how far TTIN
// goes, what a second stop signal does to a graceful stop in each dialect,
// and that a stream of signals cannot postpone the timeout checks.
#include "catch.hpp"
#include "arbiter/arbiter.hpp"
#include "stage3_server.hpp"

#include <csignal>
#include <functional>
#include <thread>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace webstack::testing;
using Clock = std::chrono::steady_clock;

// A failing check prints the decisions by name ("Abort == None"), not as numbers.
namespace Catch {
template <>
struct StringMaker<webstack::arbiter::TimeoutAction> {
    static std::string convert(webstack::arbiter::TimeoutAction action) {
        const char* names[] = {"None", "Abort", "Kill"};
        return names[static_cast<int>(action)];
    }
};
template <>
struct StringMaker<webstack::arbiter::WorkerEnd> {
    static std::string convert(webstack::arbiter::WorkerEnd end) {
        const char* names[] = {"Expected", "BootFailed", "AppFailed", "Crashed"};
        return names[static_cast<int>(end)];
    }
};
}  // namespace Catch

namespace {
std::unique_ptr<ServerProcess> start_harness(std::vector<std::string> arguments) {
    auto harness = std::make_unique<ServerProcess>(std::string(WEBSTACK_TEST_APPS_DIR) + "/arbiter-harness",
                                                   std::move(arguments));
    REQUIRE(harness->wait_for_output("Listening at"));
    return harness;
}
}  // namespace

TEST_CASE("a worker that throws after booting is replaced, and the server goes on", "[stage3][ex.stage3.exit_status]") {
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

TEST_CASE("a worker that throws before booting stops the server: Worker failed to boot, status 3", "[stage3][ex.stage3.exit_status]") {
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
    // INT only once the master is stopping: sent together, a busy master
    // could read both at once, and a quick stop is what INT alone asks.
    REQUIRE(harness->wait_for_occurrences("Handling signal: term", 1));
    std::this_thread::sleep_for(100ms);
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

TEST_CASE("policy: a silent worker gets SIGABRT, then SIGKILL", "[stage3][ex.stage3.timeout]") {
    using webstack::arbiter::timeout_action;
    using webstack::arbiter::TimeoutAction;
    CHECK(timeout_action(1500ms, std::chrono::seconds(2), false) == TimeoutAction::None);
    CHECK(timeout_action(2000ms, std::chrono::seconds(2), false) == TimeoutAction::None);  // exactly the timeout: not over it
    CHECK(timeout_action(2001ms, std::chrono::seconds(2), false) == TimeoutAction::Abort);
    CHECK(timeout_action(2500ms, std::chrono::seconds(2), false) == TimeoutAction::Abort);
    CHECK(timeout_action(3500ms, std::chrono::seconds(2), true) == TimeoutAction::Kill);  // SIGABRT did not end it
    CHECK(timeout_action(500ms, std::chrono::seconds(2), true) == TimeoutAction::None);  // it beat again meanwhile
    CHECK(timeout_action(std::chrono::hours(1), std::chrono::seconds(0), false) == TimeoutAction::None);  // --timeout 0
    CHECK(timeout_action(std::chrono::hours(1), std::chrono::seconds(0), true) == TimeoutAction::None);
}

namespace {
// The status waitpid() gives for a real child that does `what`.
int wait_status_of(const std::function<void()>& what) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        const rlimit no_core{0, 0};  // SIGQUIT, SIGSEGV and SIGABRT would leave a core file
        ::setrlimit(RLIMIT_CORE, &no_core);
        what();
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}
int exiting(int code) { return wait_status_of([code] { ::_exit(code); }); }
int killed_by(int signal_number) {
    return wait_status_of([signal_number] {
        ::signal(signal_number, SIG_DFL);
        ::raise(signal_number);
    });
}
}  // namespace

TEST_CASE("policy: what a worker's end means, from its wait status", "[stage3][ex.stage3.exit_status]") {
    using webstack::arbiter::classify_exit;
    using End = webstack::arbiter::WorkerEnd;
    CHECK(classify_exit(exiting(0), false) == End::Expected);  // e.g. --max-requests reached
    CHECK(classify_exit(exiting(0), true) == End::Expected);
    CHECK(classify_exit(exiting(3), false) == End::BootFailed);
    CHECK(classify_exit(exiting(3), true) == End::BootFailed);
    CHECK(classify_exit(exiting(4), false) == End::AppFailed);
    CHECK(classify_exit(exiting(1), false) == End::Crashed);
    CHECK(classify_exit(exiting(255), true) == End::Crashed);
    // Killed by the master's own stop signals, after it asked: the stop it wanted.
    CHECK(classify_exit(killed_by(SIGTERM), true) == End::Expected);
    CHECK(classify_exit(killed_by(SIGQUIT), true) == End::Expected);
    // The same signals from someone else, or any other signal: a crash to report.
    CHECK(classify_exit(killed_by(SIGTERM), false) == End::Crashed);
    CHECK(classify_exit(killed_by(SIGQUIT), false) == End::Crashed);
    CHECK(classify_exit(killed_by(SIGKILL), true) == End::Crashed);
    CHECK(classify_exit(killed_by(SIGSEGV), true) == End::Crashed);
    CHECK(classify_exit(killed_by(SIGABRT), false) == End::Crashed);
}
