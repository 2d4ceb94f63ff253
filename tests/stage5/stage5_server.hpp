// Starts stage5-static-files for one test: a folder with a config and a
// small site of files written by the test.
#pragma once

#include "stage4_proxy.hpp"

#include <sys/stat.h>
#include <utime.h>

namespace webstack::testing {

struct Stage5 {
    ConfigFolder folder;
    std::unique_ptr<ServerProcess> process;
    int port = 0;
    std::string root() const { return (folder.path() / "site").string(); }
};

// A Stage5 whose config is not written yet: add files first, then start().
inline std::unique_ptr<Stage5> prepare_stage5() { return std::make_unique<Stage5>(); }

// Writes nginx.conf around `http_contents` ("$SITE" is replaced by the
// site folder's path) and starts the server.
inline void start(Stage5& server, std::string http_contents) {
    for (auto at = http_contents.find("$SITE"); at != std::string::npos; at = http_contents.find("$SITE"))
        http_contents.replace(at, 5, server.root());
    const auto config = server.folder.write("nginx.conf", nginx_conf(http_contents));
    server.process = std::make_unique<ServerProcess>(binary("stage5-static-files"), std::vector<std::string>{"-c", config});
    server.port = server.process->port();
}

// A server block on a free port with `contents` inside it.
inline std::string site(const std::string& contents) {
    return "server {\n    listen 127.0.0.1:0;\n    server_name localhost;\n" + contents + "\n}\n";
}

// Sets a file's modification time (seconds since 1970).
inline void set_mtime(const std::string& path, long seconds) {
    struct utimbuf times {seconds, seconds};
    ::utime(path.c_str(), &times);
}

// `size` bytes that differ along the file, to catch an offset mistake.
inline std::string pattern_bytes(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    return bytes;
}

}  // namespace webstack::testing
