#include "net/accept_backoff.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <sys/resource.h>

namespace webstack::net {

bool is_out_of_resources(const boost::system::error_code& error) {
    if (error.category() != boost::system::system_category()) return false;
    const int code = error.value();
    return code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM;
}

std::string out_of_resources_message(const boost::system::error_code& error) {
    std::string limit;
    if (rlimit files{}; error.value() == EMFILE && ::getrlimit(RLIMIT_NOFILE, &files) == 0)
        limit = fmt::format(" (this process may open {} files: ulimit -n)", files.rlim_cur);
    return fmt::format("Cannot accept a connection: {}{}; not accepting for {} ms, open connections are still served",
                       error.message(), limit, AcceptBackoff::pause.count());
}

}  // namespace webstack::net
