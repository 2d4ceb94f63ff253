#include "net/stop_signals.hpp"

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace webstack::net {

namespace {
volatile std::sig_atomic_t received_stop_signal = 0;
int wakeup_pipe[2] = {-1, -1};

extern "C" void on_stop_signal(int signal_number) {
    received_stop_signal = signal_number;
    // Never read: once written, the pipe stays readable for every poll().
    const char byte = 1;
    [[maybe_unused]] const auto ignored = ::write(wakeup_pipe[1], &byte, 1);
}
}  // namespace

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

void install_stop_signals() {
    if (wakeup_pipe[0] < 0) ::pipe2(wakeup_pipe, O_CLOEXEC | O_NONBLOCK);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocked poll() returns with EINTR
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() { return received_stop_signal != 0; }
int stop_wakeup_fd() { return wakeup_pipe[0]; }

}  // namespace webstack::net
