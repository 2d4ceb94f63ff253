// Opening a file below a folder without ever leaving it. The request's
// path has been decoded and its dot segments removed already (common/http
// target.cpp), but a server that maps URLs to files must not trust one
// check: here the path is opened one folder at a time, relative to the
// root, and the kernel itself refuses to go above it.
//
// Linux's openat2(2) with RESOLVE_BENEATH does exactly that: no "..", no
// absolute path and no symlink may lead out of the starting folder. Where
// the kernel is too old for it (before 5.6), each part of the path is
// opened with O_NOFOLLOW instead, which refuses every symlink.
#pragma once

#include "static/settings.hpp"

#include <string>
#include <sys/stat.h>
#include <utility>

namespace webstack::stage5 {

// A file descriptor that closes itself.
class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept;
    ~FileDescriptor();
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

struct OpenedFile {
    FileDescriptor fd;
    struct stat info {};
    int error = 0;  // errno when it could not be opened: ENOENT, EACCES, ELOOP, EXDEV, ...
    bool ok() const { return error == 0; }
    bool is_directory() const { return S_ISDIR(info.st_mode); }
    bool is_regular() const { return S_ISREG(info.st_mode); }
};

// Opens `relative` ("css/site.css") below the folder `base` for reading.
// Empty parts and "." are skipped; a ".." part is refused (EXDEV), and so
// is a NUL byte (EINVAL). Symlinks are followed as `symlinks` allows; one
// that is not allowed gives ELOOP (or EXDEV when it would leave `base`).
// An empty `relative` opens `base` itself. `base` is the configuration's:
// it is trusted, symlinks and all, and kept open for a second between
// requests (each worker process keeps its own).
//
// Access::Look opens it only to look at (O_PATH): type, size and dates by
// fstat, no bytes. The path is checked the same way, and it is cheaper (a
// performance seam: bench/README.md), but the file's own read permission
// is not checked: see surely_readable().
enum class Access { Read, Look };
OpenedFile open_beneath(const std::string& base, const std::string& relative, Symlinks symlinks,
                        Access access = Access::Read);

// Would opening this file for reading surely be allowed to `user`? True
// when its mode lets everyone read it (or for root); when it says false,
// open the file and let the kernel decide. (An ACL that denies our user a
// world-readable file is the one case it gets wrong.) Without `user`: for
// this process.
bool surely_readable(const struct stat& info, uid_t user);
bool surely_readable(const struct stat& info);

}  // namespace webstack::stage5
