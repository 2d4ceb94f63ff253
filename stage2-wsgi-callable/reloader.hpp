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
#include <filesystem>
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
    std::optional<std::filesystem::file_time_type> stamp() const;

    std::string path_;
    std::optional<std::filesystem::file_time_type> loaded_, last_seen_;
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
