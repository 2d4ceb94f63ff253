#include "python_servers.hpp"

#include "catch.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace webstack::testing {

namespace fs = std::filesystem;

namespace {
std::string quoted(const std::string& word) {
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}
}  // namespace

void skip_without_python_bridge() {
    if (!WEBSTACK_PYTHON_BRIDGE) {
        std::cout << "SKIPPED: this build has no Python bridge (scripts/install-deps installs python3-dev "
                     "and pybind11-dev)" << std::endl;
        std::exit(77);
    }
}

std::unique_ptr<ServerProcess> start_in(const std::string& folder, const std::string& executable,
                                        const std::vector<std::string>& arguments,
                                        const std::vector<std::string>& environment) {
    std::string command = "cd " + quoted(folder) + " && exec env";
    for (const auto& setting : environment) command += " " + quoted(setting);
    command += " " + quoted(executable);
    for (const auto& argument : arguments) command += " " + quoted(argument);
    return std::make_unique<ServerProcess>("/bin/sh", std::vector<std::string>{"-c", command});
}

namespace {
std::unique_ptr<ServerProcess> start_ours(const std::string& server, const std::string& app, std::vector<std::string> extra,
                                          const std::string& folder, const std::vector<std::string>& environment) {
    std::vector<std::string> arguments{app, "--bind", "127.0.0.1:0"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return start_in(folder, binary(server), arguments, environment);
}
}  // namespace

std::unique_ptr<ServerProcess> start_stage2_python(const std::string& app, std::vector<std::string> extra,
                                                   const std::string& folder,
                                                   const std::vector<std::string>& environment) {
    return start_ours("stage2-wsgi-callable", app, std::move(extra), folder, environment);
}

std::unique_ptr<ServerProcess> start_stage3_python(const std::string& app, std::vector<std::string> extra,
                                                   const std::string& folder,
                                                   const std::vector<std::string>& environment) {
    return start_ours("stage3-prefork-server", app, std::move(extra), folder, environment);
}

std::unique_ptr<ServerProcess> start_gunicorn(const std::string& app, int port, std::vector<std::string> extra,
                                              const std::string& folder) {
    if (std::system("/usr/bin/python3 -c 'import gunicorn' >/dev/null 2>&1") != 0) {
        std::cout << "SKIPPED: Gunicorn is not installed for /usr/bin/python3 (scripts/install-deps installs it)"
                  << std::endl;
        std::exit(77);
    }
    std::vector<std::string> arguments{"-m", "gunicorn", app, "--bind", "127.0.0.1:" + std::to_string(port)};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    auto server = start_in(folder, "/usr/bin/python3", arguments);
    if (!wait_for_port(port, 10s)) FAIL("Gunicorn did not start:\n" << server->output());
    return server;
}

TemporaryFolder::TemporaryFolder() {
    std::string pattern = (fs::temp_directory_path() / "webstack-python-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TemporaryFolder::~TemporaryFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

std::string TemporaryFolder::write(const std::string& name, const std::string& text) const {
    const auto file = fs::path(path_) / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
}

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

}  // namespace webstack::testing
