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

FileWatcher::FileWatcher(ListFiles list_files) : list_files_(std::move(list_files)) {
    for (const auto& path : list_files_()) files_[path].loaded = files_[path].last_seen = stamp(path);
}

std::optional<FileWatcher::Stamp> FileWatcher::stamp(const std::string& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) return std::nullopt;  // missing for a moment: not a change yet
    return Stamp{static_cast<std::uint64_t>(status.st_ino), static_cast<std::uint64_t>(status.st_size),
                 static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec};
}

std::optional<std::string> FileWatcher::changed() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_look_ < std::chrono::milliseconds(500)) return std::nullopt;
    last_look_ = now;
    for (const auto& path : list_files_()) {
        const auto current = stamp(path);
        auto [entry, first_seen] = files_.try_emplace(path);
        auto& watched = entry->second;
        if (first_seen) watched.loaded = watched.last_seen = current;
        if (current != watched.last_seen) {
            watched.last_seen = current;
            watched.last_change = now;
        }
        if (current && current != watched.loaded && now - watched.last_change >= std::chrono::seconds(1)) return path;
    }
    return std::nullopt;
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
