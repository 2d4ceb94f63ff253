// Starts one of our executables (or a real nginx or gunicorn) as a child
// process, collects everything it prints, and stops it. Tests never sleep
// to "let it start": they wait, with a bound, for the line that says it is
// ready, such as "Listening at: http://127.0.0.1:PORT".
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace webstack::testing {

using namespace std::chrono_literals;

// The path of one of our executables, e.g. binary("stage1-devserver").
std::string binary(const std::string& name);

class ServerProcess {
public:
    // Starts `executable` with `arguments`; its stdout and stderr are collected.
    ServerProcess(std::string executable, std::vector<std::string> arguments);
    // Kills the process if it still runs.
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Waits until a line of the output matches `pattern` (a pattern never
    // spans lines); returns the match's groups (group 0 is the whole
    // match), or nothing after `timeout`.
    std::optional<std::vector<std::string>> wait_for_output(const std::string& pattern,
                                                            std::chrono::milliseconds timeout = 5s);
    // Waits until `text` (plain text, not a pattern) appears `count` times.
    bool wait_for_occurrences(const std::string& text, int count, std::chrono::milliseconds timeout = 5s);
    // The TCP port from "Listening at: http://HOST:PORT"; fails the test
    // (with the output so far) when the line does not come within 5 s.
    int port();

    void send_signal(int signal_number);
    // The exit status (128 + N when killed by signal N), or nothing if it
    // still runs after `timeout`. Once it has exited, output() holds what
    // it printed to the end.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout = 5s);
    bool running();
    // Waits until the process (and anything it started) closed its output.
    bool wait_for_output_closed(std::chrono::milliseconds timeout);

    std::string output() const;
    pid_t pid() const { return pid_; }
    // What it was started with, for failure messages.
    std::string command_line() const;

private:
    void collect_output(int fd);

    std::string executable_;
    std::vector<std::string> arguments_;
    pid_t pid_ = -1;
    std::optional<int> exit_status_;
    mutable std::mutex mutex_;
    std::condition_variable output_changed_;
    std::string output_;
    bool output_closed_ = false;
    std::thread reader_;
};

// Runs a command to the end (at most `timeout`), returning its exit status
// and what it printed on stdout and stderr together.
struct CommandResult {
    int exit_status = -1;
    std::string output;
};
CommandResult run_command(const std::vector<std::string>& command, std::chrono::milliseconds timeout = 10s);

// A TCP port on 127.0.0.1 with nothing listening on it (bound, then
// released): for a real nginx or gunicorn, which cannot report a port 0.
int free_port();

// Ends this test as "skipped" when `tool` is not on the PATH: CTest reads
// exit status 77 as skipped (Catch2 v2 has no SKIP of its own).
void skip_unless_installed(const std::string& tool);

// The pids of `parent`'s children, from /proc (a master's workers).
std::set<int> children_of(int parent);

// The path of Debian's nginx (it lives in /usr/sbin, not on every PATH);
// ends the test as skipped (77) when there is none.
std::string nginx_binary();

}  // namespace webstack::testing
