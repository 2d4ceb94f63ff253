// Parsing the small values inside directives (used by config.cpp, and by
// stage 5 for its own directives).
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

// Throws nginx's `invalid value "VALUE" in "NAME" directive`.
[[noreturn]] void invalid_value(const Directive& directive, const std::string& value);

// The first argument, "on" or "off"; anything else throws nginx's error.
bool on_off_argument(const Directive& directive);

// Argument `index` as a duration ("30s") or a size ("8k"); throws nginx's
// `invalid value` error when it is not one.
Duration duration_argument(const Directive& directive, std::size_t index = 0);
std::uint64_t size_argument(const Directive& directive, std::size_t index = 0);
// `text` (an argument, or part of one) as a plain number up to 10^9.
int number_argument(const Directive& directive, const std::string& text);

}  // namespace webstack::stage4
