#include "reloader.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace webstack::stage2 {

namespace {
constexpr const char* fd_variable = "WEBSTACK_LISTEN_FD";
constexpr const char* url_variable = "WEBSTACK_LISTEN_URL";
}  // namespace

FileWatcher::FileWatcher(std::string path) : path_(std::move(path)), loaded_(stamp()), last_seen_(loaded_) {}

std::optional<FileWatcher::Stamp> FileWatcher::stamp() const {
    struct stat status {};
    if (::stat(path_.c_str(), &status) != 0) return std::nullopt;  // missing for a moment: not a change yet
    return Stamp{static_cast<std::uint64_t>(status.st_ino), static_cast<std::uint64_t>(status.st_size),
                 static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec};
}

bool FileWatcher::changed() {
    const auto current = stamp();
    const auto now = std::chrono::steady_clock::now();
    if (current != last_seen_) {
        last_seen_ = current;
        last_change_ = now;
    }
    return current && current != loaded_ && now - last_change_ >= std::chrono::seconds(1);
}

void restart_keeping_socket(net::Listener& listener, char** argv) {
    const int fd = listener.native_handle();
    // Asio opens sockets close-on-exec; this one must survive the exec.
    ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) & ~FD_CLOEXEC);
    ::setenv(fd_variable, std::to_string(fd).c_str(), 1);
    ::setenv(url_variable, listener.url().c_str(), 1);
    ::execv("/proc/self/exe", argv);
}

std::optional<InheritedSocket> inherited_socket() {
    const char* fd = std::getenv(fd_variable);
    const char* url = std::getenv(url_variable);
    if (!fd || !url) return std::nullopt;
    InheritedSocket socket{std::atoi(fd), url};
    ::unsetenv(fd_variable);
    ::unsetenv(url_variable);
    ::fcntl(socket.fd, F_SETFD, ::fcntl(socket.fd, F_GETFD) | FD_CLOEXEC);
    return socket;
}

}  // namespace webstack::stage2
