#include "static/safe_open.hpp"

#include "net/timed_io.hpp"  // CoarseClock

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <map>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace webstack::stage5 {

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
}

namespace {

// O_NONBLOCK: opening a FIFO someone left in the folder must not hang the worker.
constexpr int read_flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
// O_PATH: a handle to look at (fstat) and nothing else; no FIFO blocks it.
constexpr int look_flags = O_PATH | O_CLOEXEC;

OpenedFile failed(int error) {
    OpenedFile file;
    file.error = error;
    return file;
}

OpenedFile finish(int fd) {
    if (fd < 0) return failed(errno);
    OpenedFile file;
    file.fd = FileDescriptor(fd);
    if (::fstat(fd, &file.info) != 0) return failed(errno);
    return file;
}

// "a//b/./c" -> "a/b/c" in `path`; an error for a ".." part (EXDEV) or a NUL (EINVAL).
int clean_path(std::string_view relative, std::string& path) {
    if (relative.find('\0') != std::string_view::npos) return EINVAL;
    path.reserve(relative.size());
    std::size_t start = 0;
    while (start <= relative.size()) {
        auto end = relative.find('/', start);
        if (end == std::string_view::npos) end = relative.size();
        const auto part = relative.substr(start, end - start);
        if (part == "..") return EXDEV;
        if (!part.empty() && part != ".") {
            if (!path.empty()) path += '/';
            path += part;
        }
        start = end + 1;
    }
    return 0;
}

// The kernel's way: one call, and it refuses to resolve outside `base_fd`.
int open_with_openat2(int base_fd, const std::string& path, int flags, std::uint64_t resolve) {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags);
    how.resolve = resolve;
    return static_cast<int>(::syscall(SYS_openat2, base_fd, path.c_str(), &how, sizeof how));
}

// The portable way, for kernels without openat2: a part of the (clean)
// path at a time, refusing every symlink. (With O_PATH, a symlink at the
// end is not refused but opened itself: fstat then shows a link, no file.)
int open_part_by_part(int base_fd, const std::string& path, int flags) {
    std::vector<std::string> parts;
    for (std::size_t start = 0; start <= path.size();) {
        const auto end = std::min(path.find('/', start), path.size());
        parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    FileDescriptor folder;
    int at = base_fd;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        const int next = ::openat(at, parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) return -1;
        folder = FileDescriptor(next);
        at = next;
    }
    return ::openat(at, parts.back().c_str(), flags | O_NOFOLLOW);
}

// The folders requests start from (root, alias), kept open for a second:
// opening and closing the folder for every request would be two system
// calls more than nginx makes. Like nginx's open_file_cache_valid, the
// cache trades a little freshness for speed: a folder replaced on disk (a
// deploy that moves a "current" symlink) is seen within a second.
int cached_folder(const std::string& base) {
    using Clock = net::CoarseClock;
    struct Entry {
        FileDescriptor fd;
        Clock::time_point opened;
    };
    static std::map<std::string, Entry> folders;  // one per worker process; one thread each
    const auto now = Clock::now();
    auto found = folders.find(base);
    if (found != folders.end() && now - found->second.opened < std::chrono::seconds(1)) return found->second.fd.get();
    FileDescriptor fd(::open(base.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        const int error = errno;
        if (found != folders.end()) folders.erase(found);
        errno = error;
        return -1;
    }
    const int raw = fd.get();
    folders[base] = Entry{std::move(fd), now};
    return raw;
}

}  // namespace

OpenedFile open_beneath(const std::string& base, const std::string& relative, Symlinks symlinks, Access access) {
    const int flags = access == Access::Look ? look_flags : read_flags;
    std::string path;
    if (const int error = clean_path(relative, path)) return failed(error);
    if (path.empty()) return finish(::open(base.c_str(), flags));

    const int base_fd = cached_folder(base);
    if (base_fd < 0) return failed(errno);

    if (symlinks == Symlinks::Always) return finish(::openat(base_fd, path.c_str(), flags));
    const std::uint64_t resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
                                  (symlinks == Symlinks::Never ? RESOLVE_NO_SYMLINKS : 0);
    const int fd = open_with_openat2(base_fd, path, flags, resolve);
    if (fd < 0 && errno == ENOSYS) return finish(open_part_by_part(base_fd, path, flags));
    return finish(fd);
}

bool surely_readable(const struct stat& info, uid_t user) {
    if (user == 0) return true;  // root reads every file
    // Owner, group, others: the first class the user is in decides. We
    // know the owner; for the group we would need all of the user's groups,
    // so we ask group and others both to allow it.
    const bool owner_may = info.st_uid != user || (info.st_mode & S_IRUSR);
    return owner_may && (info.st_mode & S_IRGRP) && (info.st_mode & S_IROTH);
}

bool surely_readable(const struct stat& info) {
    static const uid_t user = ::geteuid();
    return surely_readable(info, user);
}

}  // namespace webstack::stage5
