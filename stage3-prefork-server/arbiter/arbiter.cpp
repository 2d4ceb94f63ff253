#include "arbiter/arbiter.hpp"

#include "log/log.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <fstream>
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
constexpr std::size_t heartbeat_slots = 1024;  // more than any worker count we accept
}

bool WorkerContext::master_alive() const { return ::getppid() == master_pid; }

Arbiter::Arbiter(ArbiterOptions options, WorkerMain worker_main, ArbiterHooks hooks)
    : options_(std::move(options)), worker_main_(std::move(worker_main)), hooks_(std::move(hooks)),
      signals_({SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGWINCH}),
      heartbeats_(heartbeat_slots), target_workers_(options_.workers) {}

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
        if (!signal_number) {
            murder_workers();
            manage_workers();
            continue;
        }
        if (*signal_number == SIGCHLD) {
            reap_workers();
            // Ctrl-C reaches the master and its workers at once: a worker
            // that stopped for it must not be replaced just before the
            // master reads the same Ctrl-C. So look for a signal right behind.
            pending = signals_.wait(std::chrono::milliseconds(100));
            const bool stopping = pending && (*pending == SIGTERM || *pending == SIGINT || *pending == SIGQUIT);
            if (!halt_ && !stopping) manage_workers();
            continue;
        }
        if (options_.dialect == Dialect::Nginx)
            log::info("signal {} ({}) received", *signal_number, full_signal_name(*signal_number));
        else
            log::info("Handling signal: {}", signal_name(*signal_number));
        if (*signal_number == SIGTERM || *signal_number == SIGINT || *signal_number == SIGQUIT) {
            // Gunicorn: TERM graceful, INT and QUIT quick. nginx: QUIT graceful,
            // TERM and INT fast. The graceful one is what asks workers to finish.
            stop(*signal_number == graceful_signal());
            halt_ = {"", 0};
            break;
        }
        handle(*signal_number);
    }
    if (halt_->second != 0) stop(true);
    log::info("Shutting down: Master");
    if (!halt_->first.empty()) log::info("Reason: {}", halt_->first);
    if (!options_.pidfile.empty()) ::unlink(options_.pidfile.c_str());
    return halt_->second;
}

void Arbiter::handle(int signal_number) {
    switch (signal_number) {
        case SIGHUP: return reload();
        case SIGTTIN:
            ++target_workers_;
            return manage_workers();
        case SIGTTOU:
            if (target_workers_ > 1) --target_workers_;
            return manage_workers();
        case SIGUSR1:
            if (hooks_.reopen_logs) hooks_.reopen_logs();
            return kill_workers(SIGUSR1);
        default:  // USR2 (binary upgrade) and WINCH (daemon mode) are not implemented
            log::info("Ignoring signal {}: not implemented (see TUTORIAL.md, chapter 3)", signal_name(signal_number));
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

void Arbiter::spawn_worker() {
    std::vector<bool> used(heartbeat_slots, false);
    for (const auto& [pid, worker] : workers_) used[worker.slot] = true;
    const auto slot = static_cast<std::size_t>(std::find(used.begin(), used.end(), false) - used.begin());
    heartbeats_.beat(slot);  // a newborn worker is not silent
    const int age = ++last_age_;
    const pid_t master = ::getpid();

    // Block every signal across the fork. Otherwise a signal sent to the
    // new child before it puts back the default handlers would run the
    // master's handler in the child, and land in the master's pipe: a
    // SIGTERM meant to retire the newborn worker would stop the master.
    // Signals that arrive while blocked wait, and are delivered on unblock.
    sigset_t everything, previous;
    sigfillset(&everything);
    ::sigprocmask(SIG_BLOCK, &everything, &previous);
    const pid_t pid = ::fork();
    if (pid == 0) {
        signals_.forget_in_child();
        ::sigprocmask(SIG_SETMASK, &previous, nullptr);
        WorkerContext context{age, master, &heartbeats_, slot};
        int status = worker_boot_error;
        try {
            status = worker_main_(context);
        } catch (const std::exception& error) {
            log::error("Exception in worker process: {}", error.what());
        }
        // _exit: the child must not run the master's destructors or atexit handlers.
        ::_exit(status);
    }
    const int fork_errno = errno;
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (pid < 0) {
        log::error("fork failed: {}", std::strerror(fork_errno));
        return;
    }
    workers_[pid] = Worker{age, slot};
}

int Arbiter::active_workers() const {
    return static_cast<int>(std::count_if(workers_.begin(), workers_.end(),
                                          [](const auto& entry) { return !entry.second.retiring; }));
}

void Arbiter::manage_workers() {
    if (stopping_) return;
    while (active_workers() < target_workers_) spawn_worker();
    // Too many: the oldest retire first.
    while (active_workers() > target_workers_) {
        auto oldest = workers_.end();
        for (auto it = workers_.begin(); it != workers_.end(); ++it) {
            if (!it->second.retiring && (oldest == workers_.end() || it->second.age < oldest->second.age)) oldest = it;
        }
        oldest->second.retiring = true;
        ::kill(oldest->first, graceful_signal());
    }
}

void Arbiter::murder_workers() {
    if (options_.timeout.count() == 0) return;
    for (auto& [pid, worker] : workers_) {
        if (heartbeats_.silence(worker.slot) <= options_.timeout) continue;
        if (!worker.aborted) {
            log::write(log::Level::Critical, "WORKER TIMEOUT (pid:" + std::to_string(pid) + ")");
            worker.aborted = true;
            ::kill(pid, SIGABRT);
        } else {
            ::kill(pid, SIGKILL);
        }
    }
}

void Arbiter::reap_workers() {
    int status = 0;
    for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
        const auto found = workers_.find(pid);
        const bool retired = found != workers_.end() && found->second.retiring;
        if (found != workers_.end()) workers_.erase(found);
        // A worker told to stop (retired, or the master is stopping) may die
        // of our signal itself, before its own handlers are in place or
        // after they are gone: that is the stop we asked for, not a failure.
        const bool told_to_stop = retired || stopping_;
        if (told_to_stop && WIFSIGNALED(status) &&
            (WTERMSIG(status) == graceful_signal() || WTERMSIG(status) == quick_signal()))
            continue;
        if (WIFEXITED(status)) {
            const int code = WEXITSTATUS(status);
            if (code == worker_boot_error) halt("Worker failed to boot.", worker_boot_error);
            else if (code == app_load_error) halt("App failed to load.", app_load_error);
            else if (code != 0) log::error("Worker (pid:{}) exited with code {}", pid, code);
        } else if (WIFSIGNALED(status)) {
            const int signal_number = WTERMSIG(status);
            if (signal_number == SIGKILL) log::error("Worker (pid:{}) was sent SIGKILL! Perhaps out of memory?", pid);
            else log::error("Worker (pid:{}) was sent {}!", pid, full_signal_name(signal_number));
        }
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
    const auto deadline = std::chrono::steady_clock::now() + options_.graceful_timeout;
    while (!workers_.empty() && std::chrono::steady_clock::now() < deadline) {
        reap_workers();
        if (!workers_.empty()) signals_.wait(std::chrono::milliseconds(100));
    }
    kill_workers(SIGKILL);
    while (!workers_.empty()) {
        const pid_t pid = ::waitpid(-1, nullptr, 0);
        if (pid <= 0) break;
        workers_.erase(pid);
    }
}

}  // namespace webstack::arbiter
