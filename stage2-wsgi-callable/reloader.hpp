// --reload: restart the server when the app's code changes on disk, like
// runserver's autoreloader and gunicorn --reload: the app's .so, or every
// .py file of the Python modules it has loaded.
//
// A process cannot swap a loaded .so for a new one (dlopen of the same file
// returns the copy it already has), nor cleanly import a Python module
// again, so "reload" means "exec a fresh copy of this program". The
// listening socket survives the exec: we pass its file descriptor down, so
// clients that connect meanwhile wait in its queue instead of being refused.
#pragma once

#include "net/listener.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace webstack::stage2 {

class FileWatcher {
public:
    // `list_files` says what to watch; it is asked again at each check, so
    // files that appear later (a module imported on first use) are watched too.
    using ListFiles = std::function<std::vector<std::string>()>;
    explicit FileWatcher(ListFiles list_files);
    // A file that changed and then stayed the same for a second (a linker
    // writes a .so in several steps, an editor saves in several), or
    // nothing. Cheap: it looks at the disk at most twice a second.
    std::optional<std::string> changed();

private:
    // What "changed" means: another file put in its place (a new inode, as a
    // rename does), another size, or another modification time. The time
    // alone can miss a change: it is only as fine as the kernel's clock tick.
    struct Stamp {
        std::uint64_t inode, size;
        std::int64_t modified_ns;
        bool operator==(const Stamp&) const = default;
    };
    struct Watched {
        std::optional<Stamp> loaded, last_seen;
        std::chrono::steady_clock::time_point last_change;
    };
    static std::optional<Stamp> stamp(const std::string& path);

    ListFiles list_files_;
    std::map<std::string, Watched> files_;
    std::chrono::steady_clock::time_point last_look_;
};

// Replaces this process with a fresh copy of itself, run with `argv`,
// handing down the listening socket. Returns only if exec failed.
void restart_keeping_socket(net::Listener& listener, char** argv);

// The socket handed down by restart_keeping_socket, if this process is a restart.
struct InheritedSocket {
    int fd;
    std::string url;
};
std::optional<InheritedSocket> inherited_socket();

}  // namespace webstack::stage2
