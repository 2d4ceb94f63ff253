// --reload: restart the server when the app's shared object changes, like
// runserver's autoreloader and gunicorn --reload.
//
// A process cannot swap a loaded .so for a new one (dlopen of the same file
// returns the copy it already has), so "reload" means "exec a fresh copy of
// this program". The listening socket survives the exec: we pass its file
// descriptor down, so clients that connect meanwhile wait in its queue
// instead of being refused.
#pragma once

#include "net/listener.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace webstack::stage2 {

class FileWatcher {
public:
    explicit FileWatcher(std::string path);
    // True once the file changed and then stayed the same for a second
    // (a linker writes a .so in several steps). Cheap: call it often.
    bool changed();

private:
    // What "changed" means: another file put in its place (a new inode, as a
    // rename does), another size, or another modification time. The time
    // alone can miss a change: it is only as fine as the kernel's clock tick.
    struct Stamp {
        std::uint64_t inode, size;
        std::int64_t modified_ns;
        bool operator==(const Stamp&) const = default;
    };
    std::optional<Stamp> stamp() const;

    std::string path_;
    std::optional<Stamp> loaded_, last_seen_;
    std::chrono::steady_clock::time_point last_change_;
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
