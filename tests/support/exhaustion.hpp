// A server that runs out of file descriptors, on purpose: started under
// `prlimit --nofile=N` (util-linux), then sent more connections than N.
// Its accept() then fails with EMFILE while clients wait in the queue.
#pragma once

#include "server_process.hpp"

#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace webstack::testing {

// The command line that starts `executable` with at most `limit` open files.
std::vector<std::string> with_open_file_limit(int limit, const std::string& executable,
                                              std::vector<std::string> arguments);

// User + system CPU seconds of every process in the process group `group`
// (a ServerProcess is the leader of its own group: master and workers).
double group_cpu_seconds(pid_t group);

struct Exhaustion {
    double cpu_seconds = 0;      // used by the server in 2 s while out of descriptors
    int status_while_full = 0;   // a request on a connection it had accepted
    int status_after = 0;        // a request on a new connection, once the others closed
};

// Holds `connections` connections open to `port`, more than the server may
// accept; measures, calls `while_full` (if given) before letting go, then
// closes them and checks the server recovers.
Exhaustion exhaust_descriptors(int port, pid_t group, int connections, const std::string& request,
                               const std::function<void()>& while_full = {});

// How many times `text` occurs in `output`.
int occurrences(const std::string& output, const std::string& text);

// The whole check, for a server started with_open_file_limit(40, ...):
// 60 connections; while it is full it uses almost no CPU (spinning on
// accept() would take ~2 s of the 2), says `log_line` once (per burst, not
// per retry), answers on a connection it had accepted, and recovers. While
// the held connections close, the queued ones are accepted and the limit
// may be hit again for a moment: a new burst, a new line, so after the
// recovery a few more lines are fine (one per retry would be hundreds).
void check_survives_descriptor_exhaustion(ServerProcess& server, const std::string& log_line);

}  // namespace webstack::testing
