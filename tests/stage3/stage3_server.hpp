// Starts stage3-prefork-server with an app, on a free port, for one test.
#pragma once

#include "raw_client.hpp"
#include "server_process.hpp"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace webstack::testing {

inline std::unique_ptr<ServerProcess> start_stage3(const std::string& app, std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments{app, "--bind", "127.0.0.1:0", "--app-path", WEBSTACK_TEST_APPS_DIR};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return std::make_unique<ServerProcess>(binary("stage3-prefork-server"), std::move(arguments));
}

// One request on a new connection; the body, or "" when it failed.
inline std::string fetch(int port, const std::string& target) {
    auto client = RawClient::try_connect(port);
    if (!client) return "";
    auto response = client->exchange(get(target, "Connection: close\r\n"), 10s);
    return response && response->status == 200 ? response->body : "";
}

// Waits until `count` workers have booted in total ("Booting worker" lines).
inline bool wait_for_boots(ServerProcess& server, int count, std::chrono::milliseconds timeout = 5s) {
    return server.wait_for_occurrences("Booting worker with pid: ", count, timeout);
}

// The pids of the workers that answer testing:worker_pid over `requests` requests.
inline std::set<std::string> answering_pids(int port, int requests) {
    std::set<std::string> pids;
    for (int i = 0; i < requests; ++i) pids.insert(fetch(port, "/"));
    pids.erase("");
    return pids;
}

}  // namespace webstack::testing
