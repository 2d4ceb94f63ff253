// Ctrl-C (SIGINT) and SIGTERM for the simple blocking servers: the handler
// only sets a flag (nothing else is safe inside a signal handler) and, being
// installed without SA_RESTART, makes the blocking poll() we sit in return
// early so that the server notices the flag and exits cleanly.
#pragma once

namespace webstack::net {

// Writing to a socket the peer has closed raises SIGPIPE, which kills the
// process by default. Servers want an EPIPE error instead.
void ignore_sigpipe();

void install_stop_signals();
bool stop_requested();
// The signal that asked us to stop (SIGINT or SIGTERM), or 0.
int stop_signal();

}  // namespace webstack::net
