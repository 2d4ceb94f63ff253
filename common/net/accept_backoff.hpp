// When accept() fails because the process (or the machine) is out of file
// descriptors or memory, the connection stays in the kernel's queue, the
// listening socket stays readable, and the next accept() fails the same
// way at once: a loop that simply retries spins at 100% CPU and says
// nothing. nginx instead logs "[crit] accept4() failed (24: Too many open
// files)", stops accepting for accept_mutex_delay (500 ms) and keeps
// serving the connections it has; when one of them closes, a descriptor
// is free again and the queued client is accepted. Every server here does
// the same, and logs once per burst of failures, not once per retry.
#pragma once

#include <boost/system/error_code.hpp>

#include <chrono>
#include <string>
#include <utility>

namespace webstack::net {

// EMFILE, ENFILE, ENOBUFS, ENOMEM: retrying at once cannot help.
bool is_out_of_resources(const boost::system::error_code& error);

class AcceptBackoff {
public:
    // How long to stop accepting after such a failure (nginx's accept_mutex_delay).
    static constexpr std::chrono::milliseconds pause{500};

    // Records a failure that is_out_of_resources(); true when it starts a
    // burst, that is when the caller should log it.
    bool failed() { return !std::exchange(in_burst_, true); }
    // An accept() worked: the next failure starts a new burst.
    void succeeded() { in_burst_ = false; }

private:
    bool in_burst_ = false;
};

// The line stages 1-3 log for it: what failed, the limit, what happens now.
std::string out_of_resources_message(const boost::system::error_code& error);

}  // namespace webstack::net
