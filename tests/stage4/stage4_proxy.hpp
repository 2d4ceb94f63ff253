// Starts stage4-reverse-proxy for one test, with a config written for it
// into a folder of its own.
#pragma once

#include "raw_client.hpp"
#include "server_process.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>

namespace webstack::testing {

// A folder for one test's config files, removed afterwards.
class ConfigFolder {
public:
    ConfigFolder() {
        static int counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("webstack-stage4-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        std::filesystem::create_directories(path_);
    }
    ~ConfigFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    // Writes `text` to `name` inside the folder and returns its path.
    std::string write(const std::string& name, const std::string& text) const {
        const auto file = path_ / name;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file) << text;
        return file.string();
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// A whole nginx.conf around `http_contents` (the inside of http { }).
inline std::string nginx_conf(const std::string& http_contents) {
    return "worker_processes 1;\n"
           "events { worker_connections 64; }\n"
           "http {\n"
           "    access_log /dev/stdout combined;\n" +
           http_contents + "\n}\n";
}

// A server block listening on a free port that passes everything to `port`.
inline std::string proxy_site(int upstream_port, const std::string& extra = "") {
    return "server {\n    listen 127.0.0.1:0;\n    server_name localhost;\n" + extra +
           "\n    location / { proxy_pass http://127.0.0.1:" + std::to_string(upstream_port) + "; }\n}\n";
}

struct Stage4 {
    ConfigFolder folder;
    std::unique_ptr<ServerProcess> process;
    int port = 0;
};

// Writes the config and starts the proxy; fails the test if it does not start.
// `main_contents` goes before the events block (error_log, say).
inline std::unique_ptr<Stage4> start_stage4(const std::string& http_contents, const std::string& main_contents = "") {
    auto proxy = std::make_unique<Stage4>();
    const auto config = proxy->folder.write("nginx.conf", main_contents + nginx_conf(http_contents));
    proxy->process = std::make_unique<ServerProcess>(binary("stage4-reverse-proxy"), std::vector<std::string>{"-c", config});
    proxy->port = proxy->process->port();
    return proxy;
}

}  // namespace webstack::testing
