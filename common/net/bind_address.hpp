// Where a server listens, written the way Gunicorn's --bind takes it:
//   "127.0.0.1:8000", "localhost:8000", "[::1]:8000", "127.0.0.1" (port 8000),
//   "unix:/tmp/web.sock".  Port 0 asks the kernel for any free port.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace webstack::net {

struct TcpAddress {
    std::string host;        // a name or an address, without [ ] for IPv6
    std::uint16_t port = 8000;
};

struct UnixAddress {
    std::string path;
};

using BindAddress = std::variant<TcpAddress, UnixAddress>;

struct BindAddressResult {
    BindAddress address;
    std::string error;       // empty when the text was understood
};

BindAddressResult parse_bind_address(std::string_view text);

}  // namespace webstack::net
