// Starting stage 2, stage 3 and the real Gunicorn on a Python app, in a
// folder of our choosing (a Python app is found from the current folder).
#pragma once

#include "raw_client.hpp"
#include "server_process.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace webstack::testing {

// tests/python/apps: the Python apps these tests load.
inline std::string python_apps() { return WEBSTACK_PYTHON_APPS_DIR; }

// Ends the test as skipped (77) in a build without the Python bridge.
void skip_without_python_bridge();

// `executable arguments...` started in `folder`, with `environment` added
// ("KEY=VALUE" each).
std::unique_ptr<ServerProcess> start_in(const std::string& folder, const std::string& executable,
                                        const std::vector<std::string>& arguments,
                                        const std::vector<std::string>& environment = {});

// Our servers on a free port (port() reads it from their log).
std::unique_ptr<ServerProcess> start_stage2_python(const std::string& app, std::vector<std::string> extra = {},
                                                   const std::string& folder = python_apps(),
                                                   const std::vector<std::string>& environment = {});
std::unique_ptr<ServerProcess> start_stage3_python(const std::string& app, std::vector<std::string> extra = {},
                                                   const std::string& folder = python_apps(),
                                                   const std::vector<std::string>& environment = {});

// Debian's Gunicorn (python3 -m gunicorn) on `port`, started in `folder`;
// ends the test as skipped when it is not installed.
std::unique_ptr<ServerProcess> start_gunicorn(const std::string& app, int port, std::vector<std::string> extra = {},
                                              const std::string& folder = python_apps());

// A fresh empty folder under /tmp, removed by its destructor.
class TemporaryFolder {
public:
    TemporaryFolder();
    ~TemporaryFolder();
    TemporaryFolder(const TemporaryFolder&) = delete;
    const std::string& path() const { return path_; }
    // Writes `text` into path()/name (making folders on the way); returns the file's path.
    std::string write(const std::string& name, const std::string& text) const;

private:
    std::string path_;
};

std::string read_file(const std::string& path);

}  // namespace webstack::testing
