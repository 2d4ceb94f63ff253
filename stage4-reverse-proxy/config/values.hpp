// Parsing the small values inside directives (used by config.cpp).
#pragma once

#include "config/config.hpp"

#include <optional>
#include <string>

namespace webstack::stage4 {

struct HostAndPort {
    std::string host;
    int port = 80;
    bool port_given = false;
};

// "host", "host:port", "[::1]:port". nullopt if malformed.
std::optional<HostAndPort> parse_host_and_port(const std::string& text, int default_port);

// The address of a `listen` directive. nullopt if malformed.
std::optional<ListenAddress> parse_listen(const std::string& text);

}  // namespace webstack::stage4
