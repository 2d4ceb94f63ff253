// Signals for the master, the way Gunicorn's arbiter takes them: the
// handler does nothing but write the signal's number into a pipe (the
// "self-pipe trick"); the main loop reads the pipe when it is ready. So no
// real work ever runs inside a signal handler, and a signal that arrives
// while the master sleeps in poll() wakes it at once.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

namespace webstack::arbiter {

class SignalQueue {
public:
    // Installs handlers for `signals` (and SIGCHLD) that feed the pipe.
    explicit SignalQueue(const std::vector<int>& signals);
    ~SignalQueue();
    SignalQueue(const SignalQueue&) = delete;
    SignalQueue& operator=(const SignalQueue&) = delete;

    // The next signal, waiting at most `timeout` for one.
    std::optional<int> wait(std::chrono::milliseconds timeout);

    // In a freshly forked worker: default handlers again, and the pipe closed.
    void forget_in_child();

private:
    std::vector<int> signals_;
    int pipe_[2] = {-1, -1};
};

// "term" for SIGTERM, as Gunicorn logs "Handling signal: term".
const char* signal_name(int signal_number);

}  // namespace webstack::arbiter
