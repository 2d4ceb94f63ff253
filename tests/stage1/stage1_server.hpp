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

}  // namespace webstack::testing
