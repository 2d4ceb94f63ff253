// Gunicorn's arbiter: a master process that never serves a request. It
// forks N workers, keeps N of them alive whatever happens to them, and
// turns signals into actions. It knows nothing of HTTP or apps: a worker is
// just a function to run in a child process (stage 4 reuses this for
// nginx's worker_processes).
//
// The whole job is one loop, as in arbiter.py:
//
//     while true:
//         signal = wait for a signal, at most 1 second
//         if one came: handle it (TERM, INT, QUIT, HUP, TTIN, TTOU, USR1, CHLD)
//         kill workers that missed their heartbeat;
//         start or stop workers to match the target count
#pragma once

#include "arbiter/heartbeat.hpp"
#include "arbiter/signal_queue.hpp"

#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace webstack::arbiter {

// Exit statuses with Gunicorn's meanings.
inline constexpr int worker_boot_error = 3;  // "Worker failed to boot."
inline constexpr int app_load_error = 4;     // "App failed to load."
inline constexpr int worker_crashed = 255;   // an exception after booting: Gunicorn's sys.exit(-1)

// Gunicorn and nginx steer their masters with the same signals, meaning
// different things:
//              Gunicorn                      nginx
//   TERM       graceful stop                 fast stop
//   INT        quick stop                    fast stop
//   QUIT       quick stop                    graceful stop
//   HUP        new workers                   re-read the config, new workers
// The dialect also picks the signal that asks a worker to finish and leave
// (TERM for Gunicorn's workers, QUIT for nginx's).
enum class Dialect { Gunicorn, Nginx };

struct ArbiterOptions {
    Dialect dialect = Dialect::Gunicorn;
    std::string program = "webstack stage3-prefork-server";  // for "Starting ..."
    int workers = 1;
    // The most workers TTIN may reach (nginx's NGX_MAX_PROCESSES is 1024).
    // The heartbeat table has room for twice as many: a HUP starts a fresh
    // set before the old one leaves.
    int max_workers = 1024;
    std::chrono::seconds timeout{30};           // 0: never kill a silent worker
    std::chrono::seconds graceful_timeout{30};
    std::string pidfile;                        // "" for none
    std::string worker_class = "sync";          // for the log
    std::vector<std::string> listening_urls;    // for the log
};

// What a worker gets from the master, after the fork.
struct WorkerContext {
    int age;                     // 1 for the first worker, then 2, 3, ...
    pid_t master_pid;
    HeartbeatTable* heartbeats;
    std::size_t slot;
    // Set by the worker once it is ready to serve (its app loaded). An
    // exception before that is a failed boot, which stops the whole server
    // (it would fail again); after it, a crash: the worker is replaced.
    bool booted = false;
    void beat() { heartbeats->beat(slot); }
    // False once the master is gone (the worker was re-parented).
    bool master_alive() const;
};

// Runs in the worker process; returns its exit status.
using WorkerMain = std::function<int(WorkerContext&)>;

// The master's decisions, as plain functions (tested in-process).
//
// Too many workers (after TTOU, or HUP's fresh set): the oldest retire
// first, as Gunicorn's manage_workers() does. `ages` of the workers that
// still count; returns the ages of those to retire.
std::vector<int> workers_to_retire(std::vector<int> ages, int target);

// A worker silent for longer than the timeout gets SIGABRT (Gunicorn logs
// WORKER TIMEOUT), and SIGKILL if it is still silent at a later check
// (`aborted_before`: it got SIGABRT already). Silent for exactly the
// timeout is not longer than it. A timeout of 0 (`--timeout 0`) means
// never: no worker is ever aborted or killed.
enum class TimeoutAction { None, Abort, Kill };
TimeoutAction timeout_action(std::chrono::milliseconds silence, std::chrono::seconds timeout, bool aborted_before);

// How a worker ended, read from the status waitpid() gave (WIFEXITED and
// WEXITSTATUS, else WIFSIGNALED and WTERMSIG), and what the master does:
//   Expected    exit 0, or killed by TERM or QUIT (the master's two stop
//               signals) when the master had told it to stop: nothing to say
//   BootFailed  exit 3 (worker_boot_error): the master stops, "Worker failed to boot."
//   AppFailed   exit 4 (app_load_error): the master stops, "App failed to load."
//   Crashed     any other exit code, any other signal: an error line, and a new worker
enum class WorkerEnd { Expected, BootFailed, AppFailed, Crashed };
WorkerEnd classify_exit(int wait_status, bool told_to_stop);

struct ArbiterHooks {
    std::function<void()> close_listeners;  // when stopping: no new connections
    std::function<void()> reopen_logs;      // on SIGUSR1
    // On HUP, before new workers start: false keeps the old workers (nginx
    // with a broken new config).
    std::function<bool()> reload_config;
    // Around each fork() (Gunicorn's pre_fork and post_fork hooks play the
    // same part): an embedded Python interpreter must be held still while
    // the process is copied, and repaired in the child.
    std::function<void()> before_fork;
    std::function<void()> after_fork_in_parent;
    std::function<void()> after_fork_in_child;
};

class Arbiter {
public:
    Arbiter(ArbiterOptions options, WorkerMain worker_main, ArbiterHooks hooks);
    // Runs until stopped; returns the exit status of the whole server.
    int run();

private:
    struct Worker {
        int age;
        std::size_t slot;
        bool aborted = false;   // SIGABRT sent for a timeout; next time SIGKILL
        bool retiring = false;  // SIGTERM sent to retire it; it no longer counts
    };

    void handle(int signal_number);
    void log_signal(int signal_number) const;
    void announce(const std::string& line) const;
    void reload();
    bool spawn_worker();
    std::optional<std::size_t> free_slot() const;
    void manage_workers();
    void murder_workers();
    void reap_workers();
    void log_crash(pid_t pid, int status) const;
    void stop(bool graceful);
    void wait_for_workers_to_leave(bool graceful);
    void kill_workers(int signal_number);
    int graceful_signal() const { return options_.dialect == Dialect::Nginx ? SIGQUIT : SIGTERM; }
    int quick_signal() const { return options_.dialect == Dialect::Nginx ? SIGTERM : SIGQUIT; }
    void halt(std::string reason, int exit_status);
    int active_workers() const;

    ArbiterOptions options_;
    WorkerMain worker_main_;
    ArbiterHooks hooks_;
    SignalQueue signals_;
    HeartbeatTable heartbeats_;
    std::map<pid_t, Worker> workers_;
    int target_workers_;
    int last_age_ = 0;
    bool stopping_ = false;
    std::optional<std::pair<std::string, int>> halt_;  // reason and exit status
};

}  // namespace webstack::arbiter
