// The small values inside directives: times, sizes, addresses, URLs.
#include "config/config.hpp"
#include "config/values.hpp"

#include <charconv>

namespace webstack::stage4 {

namespace {
std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}
}  // namespace

// nginx times: "30s", "1m", "500ms", "1h", "1d"; a bare number is seconds.
std::optional<Duration> parse_duration(const std::string& text) {
    struct Unit {
        std::string_view suffix;
        std::uint64_t milliseconds;
    };
    // "ms" before "m" and "s", so that "500ms" is not read as 500m + "s".
    for (const Unit unit : {Unit{"ms", 1}, Unit{"s", 1000}, Unit{"m", 60'000}, Unit{"h", 3'600'000},
                            Unit{"d", 86'400'000}}) {
        if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
            const auto number = parse_number(std::string_view(text).substr(0, text.size() - unit.suffix.size()));
            if (!number) return std::nullopt;
            return Duration(*number * unit.milliseconds);
        }
    }
    const auto seconds = parse_number(text);
    if (!seconds) return std::nullopt;
    return Duration(*seconds * 1000);
}

// nginx sizes: "8k", "1m", "4g" (either case); a bare number is bytes.
std::optional<std::uint64_t> parse_size(const std::string& text) {
    if (text.empty()) return std::nullopt;
    std::uint64_t multiplier = 1;
    std::string_view digits = text;
    switch (text.back()) {
        case 'k': case 'K': multiplier = 1024; break;
        case 'm': case 'M': multiplier = 1024 * 1024; break;
        case 'g': case 'G': multiplier = 1024ULL * 1024 * 1024; break;
        default: break;
    }
    if (multiplier != 1) digits.remove_suffix(1);
    const auto number = parse_number(digits);
    if (!number) return std::nullopt;
    return *number * multiplier;
}

std::optional<HostAndPort> parse_host_and_port(const std::string& text, int default_port) {
    HostAndPort result{text, default_port, false};
    if (text.empty()) return std::nullopt;
    if (text.front() == '[') {  // [::1]:8080
        const auto close = text.find(']');
        if (close == std::string::npos) return std::nullopt;
        result.host = text.substr(1, close - 1);
        if (close + 1 == text.size()) return result;
        if (text[close + 1] != ':') return std::nullopt;
        const auto port = parse_number(std::string_view(text).substr(close + 2));
        if (!port || *port > 65535) return std::nullopt;
        result.port = static_cast<int>(*port);
        result.port_given = true;
        return result;
    }
    const auto colon = text.rfind(':');
    if (colon != std::string::npos) {
        const auto port = parse_number(std::string_view(text).substr(colon + 1));
        if (!port || *port > 65535) return std::nullopt;
        result.host = text.substr(0, colon);
        result.port = static_cast<int>(*port);
        result.port_given = true;
    }
    if (result.host.empty()) return std::nullopt;
    return result;
}

// `listen 8080`, `listen 127.0.0.1:8080`, `listen 127.0.0.1` (port 80), `listen [::1]:8080`.
std::optional<ListenAddress> parse_listen(const std::string& text) {
    if (const auto port = parse_number(text)) {
        if (*port > 65535) return std::nullopt;  // 0: any free port (for tests; nginx refuses it)
        return ListenAddress{"0.0.0.0", static_cast<int>(*port), false};
    }
    const auto address = parse_host_and_port(text, 80);
    if (!address) return std::nullopt;
    return ListenAddress{address->host, address->port, false};
}

std::string ListenAddress::text() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string ProxyPass::proxy_host() const {
    // nginx's $proxy_host: the upstream name alone, or host:port when the
    // port is not 80.
    if ((upstream && !port_given) || port == 80) return host;  // a resolved name keeps its port
    return host + ":" + std::to_string(port);
}

[[noreturn]] void invalid_value(const Directive& directive, const std::string& value) {
    throw ConfigError("invalid value \"" + value + "\" in \"" + directive.name + "\" directive", directive.where);
}

bool on_off_argument(const Directive& directive) {
    const auto& value = directive.arguments.at(0);
    if (value == "on") return true;
    if (value == "off") return false;
    throw ConfigError("invalid value \"" + value + "\" in \"" + directive.name +
                          "\" directive, it must be \"on\" or \"off\"",
                      directive.where);
}

Duration duration_argument(const Directive& directive, std::size_t index) {
    const auto value = parse_duration(directive.arguments.at(index));
    if (!value) invalid_value(directive, directive.arguments[index]);
    return *value;
}

std::uint64_t size_argument(const Directive& directive, std::size_t index) {
    const auto value = parse_size(directive.arguments.at(index));
    if (!value) invalid_value(directive, directive.arguments[index]);
    return *value;
}

int number_argument(const Directive& directive, const std::string& text) {
    const auto value = parse_size(text);  // digits only, without a unit
    if (!value || text.find_first_not_of("0123456789") != std::string::npos || *value > 1'000'000'000)
        invalid_value(directive, text);
    return static_cast<int>(*value);
}

}  // namespace webstack::stage4
