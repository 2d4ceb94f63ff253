// Starts stage2-wsgi-callable with an app, on a free port, for one test.
#pragma once

#include "raw_client.hpp"
#include "server_process.hpp"

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace webstack::testing {

inline std::string test_apps_dir() { return WEBSTACK_TEST_APPS_DIR; }

// `app` is MODULE:CALLABLE; the test apps' folder is on the app path.
inline std::unique_ptr<ServerProcess> start_stage2(const std::string& app, std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments{app, "--bind", "127.0.0.1:0", "--app-path", test_apps_dir()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return std::make_unique<ServerProcess>(binary("stage2-wsgi-callable"), std::move(arguments));
}

// testing:dump_environ's "KEY=value" lines as a map.
inline std::map<std::string, std::string> parse_dump(const std::string& body) {
    std::map<std::string, std::string> values;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) {
        const auto equals = line.find('=');
        if (equals != std::string::npos) values[line.substr(0, equals)] = line.substr(equals + 1);
    }
    return values;
}

}  // namespace webstack::testing
