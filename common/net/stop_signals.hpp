// Ctrl-C (SIGINT) and SIGTERM for the simple blocking servers: the handler
// only sets a flag and writes one byte into a pipe (nothing else is safe
// inside a signal handler). Every blocking wait polls that pipe beside its
// socket, so a stop wakes every thread at once, not only the one the
// kernel happened to deliver the signal to (chapter 3's self-pipe trick).
#pragma once

namespace webstack::net {

// Writing to a socket the peer has closed raises SIGPIPE, which kills the
// process by default. Servers want an EPIPE error instead.
void ignore_sigpipe();

void install_stop_signals();
bool stop_requested();
// A file descriptor that becomes readable, and stays so, once a stop
// signal arrived; -1 before install_stop_signals() (poll() skips it).
int stop_wakeup_fd();

}  // namespace webstack::net
