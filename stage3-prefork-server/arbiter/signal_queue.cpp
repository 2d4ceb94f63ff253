#include "arbiter/signal_queue.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace webstack::arbiter {

namespace {
int write_end = -1;  // the handler's only state: where to write

extern "C" void queue_signal(int signal_number) {
    const int saved_errno = errno;  // a handler must not disturb the code it interrupted
    const auto byte = static_cast<unsigned char>(signal_number);
    [[maybe_unused]] auto ignored = ::write(write_end, &byte, 1);
    errno = saved_errno;
}
}  // namespace

SignalQueue::SignalQueue(const std::vector<int>& signals) : signals_(signals) {
    signals_.push_back(SIGCHLD);
    ::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK);
    write_end = pipe_[1];
    struct sigaction action {};
    action.sa_handler = queue_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int signal_number : signals_) sigaction(signal_number, &action, nullptr);
}

SignalQueue::~SignalQueue() {
    for (int signal_number : signals_) std::signal(signal_number, SIG_DFL);
    if (pipe_[0] >= 0) ::close(pipe_[0]);
    if (pipe_[1] >= 0) ::close(pipe_[1]);
}

std::optional<int> SignalQueue::wait(std::chrono::milliseconds timeout) {
    unsigned char byte = 0;
    if (::read(pipe_[0], &byte, 1) == 1) return byte;
    pollfd entry{pipe_[0], POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    if (::read(pipe_[0], &byte, 1) == 1) return byte;
    return std::nullopt;
}

void SignalQueue::forget_in_child() {
    for (int signal_number : signals_) std::signal(signal_number, SIG_DFL);
    ::close(pipe_[0]);
    ::close(pipe_[1]);
    pipe_[0] = pipe_[1] = -1;
    write_end = -1;
}

const char* signal_name(int signal_number) {
    switch (signal_number) {
        case SIGHUP: return "hup";
        case SIGINT: return "int";
        case SIGQUIT: return "quit";
        case SIGTERM: return "term";
        case SIGTTIN: return "ttin";
        case SIGTTOU: return "ttou";
        case SIGUSR1: return "usr1";
        case SIGUSR2: return "usr2";
        case SIGWINCH: return "winch";
        case SIGCHLD: return "chld";
        default: return "unknown";
    }
}

}  // namespace webstack::arbiter
