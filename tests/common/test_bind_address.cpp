#include "catch.hpp"

#include "net/bind_address.hpp"

using namespace webstack::net;

TEST_CASE("bind addresses in Gunicorn's forms", "[bind]") {
    const auto [text, host, port] = GENERATE(table<std::string, std::string, int>({
        {"127.0.0.1:8000", "127.0.0.1", 8000},
        {"localhost:0", "localhost", 0},
        {"[::1]:9000", "::1", 9000},
        {"[::1]", "::1", 8000},
        {"0.0.0.0", "0.0.0.0", 8000},
    }));
    INFO(text);
    const auto result = parse_bind_address(text);
    REQUIRE(result.error.empty());
    const auto& address = std::get<TcpAddress>(result.address);
    CHECK(address.host == host);
    CHECK(address.port == port);
}

TEST_CASE("unix socket addresses", "[bind]") {
    const auto result = parse_bind_address("unix:/tmp/web.sock");
    REQUIRE(result.error.empty());
    CHECK(std::get<UnixAddress>(result.address).path == "/tmp/web.sock");
}

TEST_CASE("bad bind addresses are refused with a reason", "[bind]") {
    const auto text = GENERATE(as<std::string>{}, "127.0.0.1:99999", "127.0.0.1:http", "127.0.0.1:", ":8000",
                               "::1:8000", "[::1", "[::1]x", "unix:", "");
    INFO(text);
    CHECK_FALSE(parse_bind_address(text).error.empty());
}
