#include "net/stop_signals.hpp"

#include <csignal>

namespace webstack::net {

namespace {
volatile std::sig_atomic_t received_stop_signal = 0;

extern "C" void on_stop_signal(int signal_number) { received_stop_signal = signal_number; }
}  // namespace

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

void install_stop_signals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocked poll() returns with EINTR
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() { return received_stop_signal != 0; }
int stop_signal() { return received_stop_signal; }

}  // namespace webstack::net
