#include "net/bind_address.hpp"

#include <charconv>

namespace webstack::net {

namespace {
bool parse_port(std::string_view text, std::uint16_t& port) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value > 65535) return false;
    port = static_cast<std::uint16_t>(value);
    return true;
}
}  // namespace

BindAddressResult parse_bind_address(std::string_view text) {
    if (text.starts_with("unix:")) {
        const auto path = text.substr(5);
        if (path.empty()) return {UnixAddress{}, "unix: needs a path, e.g. unix:/tmp/webstack.sock"};
        return {UnixAddress{std::string(path)}, ""};
    }
    TcpAddress address;
    std::string_view port_text;
    if (text.starts_with('[')) {  // [::1]:8000
        const auto close = text.find(']');
        if (close == std::string_view::npos) return {address, "missing ] after the IPv6 address"};
        address.host = std::string(text.substr(1, close - 1));
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) return {address, "expected :PORT after ]"};
            port_text = rest.substr(1);
        }
    } else {
        const auto colon = text.rfind(':');
        if (colon != std::string_view::npos && text.find(':') != colon)
            return {address, "write IPv6 addresses in brackets, e.g. [::1]:8000"};
        address.host = std::string(text.substr(0, colon));
        if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
    }
    if (address.host.empty()) return {address, "missing host, e.g. 127.0.0.1:8000"};
    if (!port_text.empty() || text.ends_with(':')) {
        if (!parse_port(port_text, address.port)) return {address, "the port must be a number from 0 to 65535"};
    }
    return {address, ""};
}

}  // namespace webstack::net
