#include "arbiter/arbiter.hpp"

#include "log/log.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace webstack::arbiter {

namespace {
// "SIGABRT", as Gunicorn names a signal that killed a worker.
std::string full_signal_name(int signal_number) {
    const char* name = ::sigabbrev_np(signal_number);
    return name ? std::string("SIG") + name : "signal " + std::to_string(signal_number);
}
// Break it on purpose (chapter 3; the steps: docs/deeper/chapter-3.md): make this false, rebuild,
// run `ctest --preset dev -R fork_window`, and explain what you see.
constexpr bool block_signals_across_fork = true;

// For the test above only: WEBSTACK_TEST_FORK_DELAY_MS holds a newborn
// worker, before it puts back its signal handlers, long enough for a test
// to send it a signal in that window every time (it is microseconds wide).
void widen_the_fork_window_for_tests() {
    const char* delay = std::getenv("WEBSTACK_TEST_FORK_DELAY_MS");
    if (!delay) return;
    const int milliseconds = std::atoi(delay);
    log::info("Worker {} waits {} ms before putting back its signal handlers (WEBSTACK_TEST_FORK_DELAY_MS)",
              ::getpid(), milliseconds);
    ::usleep(static_cast<useconds_t>(milliseconds) * 1000);
}

bool is_stop_signal(int signal_number) {
    return signal_number == SIGTERM || signal_number == SIGINT || signal_number == SIGQUIT;
}
}  // namespace

bool WorkerContext::master_alive() const { return ::getppid() == master_pid; }

std::vector<int> workers_to_retire([[maybe_unused]] std::vector<int> ages, [[maybe_unused]] int target) {
    // BEGIN EXERCISE stage3.retire_oldest
    if (static_cast<int>(ages.size()) <= target) return {};
    std::sort(ages.begin(), ages.end());  // the lowest age is the oldest worker
    ages.resize(ages.size() - static_cast<std::size_t>(std::max(target, 0)));
    return ages;
    // STUB
    // throw std::logic_error("exercise stage3.retire_oldest is not done yet (scripts/exercises hint stage3.retire_oldest)");
    // END EXERCISE stage3.retire_oldest
}

TimeoutAction timeout_action([[maybe_unused]] std::chrono::milliseconds silence,
                             [[maybe_unused]] std::chrono::seconds timeout, [[maybe_unused]] bool aborted_before) {
    // BEGIN EXERCISE stage3.timeout
    if (timeout.count() == 0 || silence <= timeout) return TimeoutAction::None;
    return aborted_before ? TimeoutAction::Kill : TimeoutAction::Abort;
    // STUB
    // throw std::logic_error("exercise stage3.timeout is not done yet (scripts/exercises hint stage3.timeout)");
    // END EXERCISE stage3.timeout
}

WorkerEnd classify_exit([[maybe_unused]] int wait_status, [[maybe_unused]] bool told_to_stop) {
    // BEGIN EXERCISE stage3.exit_status
    if (WIFEXITED(wait_status)) {
        const int code = WEXITSTATUS(wait_status);
        if (code == 0) return WorkerEnd::Expected;
        if (code == worker_boot_error) return WorkerEnd::BootFailed;
        if (code == app_load_error) return WorkerEnd::AppFailed;
        return WorkerEnd::Crashed;
    }
    // A worker told to stop may die of the master's signal itself, before
    // its own handlers are in place or after they are gone: that is the
    // stop the master asked for, not a failure.
    const int signal_number = WTERMSIG(wait_status);
    if (told_to_stop && (signal_number == SIGTERM || signal_number == SIGQUIT)) return WorkerEnd::Expected;
    return WorkerEnd::Crashed;
    // STUB
    // throw std::logic_error("exercise stage3.exit_status is not done yet (scripts/exercises hint stage3.exit_status)");
    // END EXERCISE stage3.exit_status
}

Arbiter::Arbiter(ArbiterOptions options, WorkerMain worker_main, ArbiterHooks hooks)
    : options_(std::move(options)), worker_main_(std::move(worker_main)), hooks_(std::move(hooks)),
      signals_({SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGWINCH}),
      heartbeats_(2 * static_cast<std::size_t>(std::max(1, options_.max_workers))),
      target_workers_(std::clamp(options_.workers, 1, std::max(1, options_.max_workers))) {
    if (options_.workers > target_workers_)
        log::warning("{} workers asked, {} is the most this master watches: starting {}", options_.workers,
                     target_workers_, target_workers_);
}

// Startup news: INFO lines for Gunicorn; for nginx, whose default error
// log level (error) hides info, "notice" lines that are always written.
void Arbiter::announce(const std::string& line) const {
    if (options_.dialect == Dialect::Nginx) log::notice(line);
    else log::info("{}", line);
}

int Arbiter::run() {
    // The pid file first: whoever reads "Listening at" may look for it at once.
    if (!options_.pidfile.empty()) std::ofstream(options_.pidfile) << ::getpid() << '\n';
    announce(fmt::format("Starting {}", options_.program));
    for (const auto& url : options_.listening_urls) announce(fmt::format("Listening at: {} ({})", url, ::getpid()));
    announce(fmt::format("Using worker: {}", options_.worker_class));

    manage_workers();
    std::optional<int> pending;  // a signal read early, handled next
    while (!halt_) {
        const auto signal_number = pending ? std::exchange(pending, std::nullopt) : signals_.wait(std::chrono::seconds(1));
        if (signal_number == SIGCHLD) {
            reap_workers();
            // Ctrl-C reaches the master and its workers at once: a worker
            // that stopped for it must not be replaced just before the
            // master reads the same Ctrl-C. So look for a signal right behind.
            pending = signals_.wait(std::chrono::milliseconds(100));
            if (pending && is_stop_signal(*pending)) continue;
        } else if (signal_number) {
            log_signal(*signal_number);
            if (is_stop_signal(*signal_number)) {
                // Gunicorn: TERM graceful, INT and QUIT quick. nginx: QUIT graceful,
                // TERM and INT fast. The graceful one is what asks workers to finish.
                stop(*signal_number == graceful_signal());
                halt_ = {"", 0};
                break;
            }
            handle(*signal_number);
        }
        if (halt_) break;
        // After every sleep, also one a signal cut short (as arbiter.py):
        // a steady stream of signals must not postpone the timeouts.
        murder_workers();
        manage_workers();
    }
    if (halt_->second != 0) stop(true);
    log::info("Shutting down: Master");
    if (!halt_->first.empty()) log::info("Reason: {}", halt_->first);
    if (!options_.pidfile.empty()) ::unlink(options_.pidfile.c_str());
    return halt_->second;
}

void Arbiter::log_signal(int signal_number) const {
    if (options_.dialect == Dialect::Nginx)
        log::info("signal {} ({}) received", signal_number, full_signal_name(signal_number));
    else
        log::info("Handling signal: {}", signal_name(signal_number));
}

void Arbiter::handle(int signal_number) {
    switch (signal_number) {
        case SIGHUP: return reload();
        case SIGTTIN:
            if (target_workers_ >= options_.max_workers) {
                log::warning("TTIN ignored: {} workers is the most this master watches", options_.max_workers);
                return;
            }
            ++target_workers_;
            return manage_workers();
        case SIGTTOU:
            if (target_workers_ > 1) --target_workers_;
            return manage_workers();
        case SIGUSR1:
            if (hooks_.reopen_logs) hooks_.reopen_logs();
            return kill_workers(SIGUSR1);
        default:  // USR2 (binary upgrade) and WINCH (daemon mode) are not implemented
            log::info("Ignoring signal {}: not implemented (see docs/deeper/chapter-3.md, the signal table)", signal_name(signal_number));
    }
}

// HUP: a fresh set of workers, then the old set retires gracefully. The new
// workers are new processes: without --preload they load the app's current
// code; with it they inherit the master's copy, which HUP cannot change.
void Arbiter::reload() {
    log::info("Hang up: Master");
    if (hooks_.reload_config && !hooks_.reload_config()) return;  // the old workers go on
    for (int i = 0; i < target_workers_; ++i) spawn_worker();
    manage_workers();  // more than the target now: the oldest retire
}

// A heartbeat slot no worker uses, if there is one.
std::optional<std::size_t> Arbiter::free_slot() const {
    std::vector<bool> used(heartbeats_.size(), false);
    for (const auto& [pid, worker] : workers_) used[worker.slot] = true;
    const auto free = std::find(used.begin(), used.end(), false);
    if (free == used.end()) return std::nullopt;
    return static_cast<std::size_t>(free - used.begin());
}

bool Arbiter::spawn_worker() {
    const auto found = free_slot();
    if (!found) {
        log::error("cannot start a worker: all {} heartbeat slots are taken", heartbeats_.size());
        return false;
    }
    const std::size_t slot = *found;
    heartbeats_.beat(slot);  // a newborn worker is not silent
    const int age = ++last_age_;
    const pid_t master = ::getpid();

    // Block every signal across the fork. Otherwise a signal sent to the
    // new child before it puts back the default handlers would run the
    // master's handler in the child, and land in the master's pipe: a
    // SIGTERM meant to retire the newborn worker would stop the master.
    // Signals that arrive while blocked wait, and are delivered on unblock.
    sigset_t blocked, previous;
    if (block_signals_across_fork) sigfillset(&blocked);
    else sigemptyset(&blocked);
    ::sigprocmask(SIG_BLOCK, &blocked, &previous);
    if (hooks_.before_fork) hooks_.before_fork();
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (hooks_.after_fork_in_child) hooks_.after_fork_in_child();
        widen_the_fork_window_for_tests();
        signals_.forget_in_child();
        ::sigprocmask(SIG_SETMASK, &previous, nullptr);
        WorkerContext context{age, master, &heartbeats_, slot};
        int status = worker_boot_error;
        try {
            status = worker_main_(context);
        } catch (const std::exception& error) {
            log::error("Exception in worker process: {}", error.what());
            // Gunicorn: a worker that never booted would fail again, so it
            // stops the server; one that crashed later is replaced.
            if (context.booted) status = worker_crashed;
        }
        // _exit: the child must not run the master's destructors or atexit handlers.
        ::_exit(status);
    }
    const int fork_errno = errno;
    if (hooks_.after_fork_in_parent) hooks_.after_fork_in_parent();
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (pid < 0) {
        log::error("fork failed: {}", std::strerror(fork_errno));
        return false;
    }
    workers_[pid] = Worker{age, slot};
    return true;
}

int Arbiter::active_workers() const {
    return static_cast<int>(std::count_if(workers_.begin(), workers_.end(),
                                          [](const auto& entry) { return !entry.second.retiring; }));
}

void Arbiter::manage_workers() {
    if (stopping_) return;
    while (active_workers() < target_workers_)
        if (!spawn_worker()) break;  // logged; the next round tries again
    std::vector<int> ages;
    for (const auto& [pid, worker] : workers_)
        if (!worker.retiring) ages.push_back(worker.age);
    const auto retire = workers_to_retire(ages, target_workers_);
    for (auto& [pid, worker] : workers_) {
        if (worker.retiring || std::find(retire.begin(), retire.end(), worker.age) == retire.end()) continue;
        worker.retiring = true;
        ::kill(pid, graceful_signal());
    }
}

void Arbiter::murder_workers() {
    for (auto& [pid, worker] : workers_) {
        switch (timeout_action(heartbeats_.silence(worker.slot), options_.timeout, worker.aborted)) {
            case TimeoutAction::None: break;
            case TimeoutAction::Abort:
                log::write(log::Level::Critical, "WORKER TIMEOUT (pid:" + std::to_string(pid) + ")");
                worker.aborted = true;
                ::kill(pid, SIGABRT);
                break;
            case TimeoutAction::Kill: ::kill(pid, SIGKILL); break;
        }
    }
}

void Arbiter::reap_workers() {
    int status = 0;
    for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
        const auto found = workers_.find(pid);
        const bool retired = found != workers_.end() && found->second.retiring;
        if (found != workers_.end()) workers_.erase(found);
        switch (classify_exit(status, retired || stopping_)) {
            case WorkerEnd::Expected: break;
            case WorkerEnd::BootFailed: halt("Worker failed to boot.", worker_boot_error); break;
            case WorkerEnd::AppFailed: halt("App failed to load.", app_load_error); break;
            case WorkerEnd::Crashed: log_crash(pid, status); break;
        }
        // manage_workers() starts a replacement for any worker that is gone.
    }
}

// Gunicorn's words for a worker that died on its own.
void Arbiter::log_crash(pid_t pid, int status) const {
    if (WIFEXITED(status)) {
        log::error("Worker (pid:{}) exited with code {}", pid, WEXITSTATUS(status));
    } else if (WTERMSIG(status) == SIGKILL) {
        log::error("Worker (pid:{}) was sent SIGKILL! Perhaps out of memory?", pid);
    } else {
        log::error("Worker (pid:{}) was sent {}!", pid, full_signal_name(WTERMSIG(status)));
    }
}

void Arbiter::halt(std::string reason, int exit_status) {
    if (!stopping_ && !halt_) halt_ = {std::move(reason), exit_status};
}

void Arbiter::kill_workers(int signal_number) {
    for (const auto& [pid, worker] : workers_) ::kill(pid, signal_number);
}

// Graceful: workers finish what they are doing (Gunicorn's SIGTERM,
// nginx's SIGQUIT), within --graceful-timeout; quick: they stop now.
// Whoever is left at the deadline gets SIGKILL.
void Arbiter::stop(bool graceful) {
    stopping_ = true;
    if (hooks_.close_listeners) hooks_.close_listeners();
    kill_workers(graceful ? graceful_signal() : quick_signal());
    wait_for_workers_to_leave(graceful);
}

// Gunicorn's stop() sleeps until its workers are gone or
// --graceful-timeout has passed, and reads no signal meanwhile: a Ctrl-C
// during a graceful stop changes nothing. nginx's master checks for a
// fast stop before a graceful one in every round, so a TERM or INT during
// a graceful QUIT turns it into a fast stop; and a fast stop sends SIGKILL
// to whoever is left after about a second.
void Arbiter::wait_for_workers_to_leave(bool graceful) {
    using Clock = std::chrono::steady_clock;
    const bool nginx = options_.dialect == Dialect::Nginx;
    constexpr auto nginx_fast_stop_grace = std::chrono::seconds(1);
    auto deadline = Clock::now() + (nginx && !graceful ? nginx_fast_stop_grace : options_.graceful_timeout);
    while (!workers_.empty() && Clock::now() < deadline) {
        reap_workers();
        if (workers_.empty()) break;
        const auto signal_number = signals_.wait(std::chrono::milliseconds(100));
        if (nginx && graceful && signal_number && (*signal_number == SIGTERM || *signal_number == SIGINT)) {
            log_signal(*signal_number);
            graceful = false;
            kill_workers(quick_signal());
            deadline = std::min(deadline, Clock::now() + nginx_fast_stop_grace);
        }
    }
    kill_workers(SIGKILL);
    while (!workers_.empty()) {
        const pid_t pid = ::waitpid(-1, nullptr, 0);
        if (pid <= 0) break;
        workers_.erase(pid);
    }
}

}  // namespace webstack::arbiter
