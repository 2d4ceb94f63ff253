// Starts stage1-devserver on a free port for one test.
#pragma once

#include "raw_client.hpp"
#include "server_process.hpp"

#include <memory>
#include <string>
#include <vector>

namespace webstack::testing {

inline std::unique_ptr<ServerProcess> start_stage1(std::vector<std::string> arguments = {"--bind", "127.0.0.1:0"}) {
    return std::make_unique<ServerProcess>(binary("stage1-devserver"), std::move(arguments));
}

// A GET the way a browser would send it.
inline std::string get(const std::string& target, const std::string& extra_headers = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

}  // namespace webstack::testing
