// The process as a whole: command line, listening, signals.
#include "catch.hpp"
#include "stage1_server.hpp"

#include <csignal>
#include <iostream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace webstack::testing;

TEST_CASE("a port already in use is one clear line and exit status 1", "[stage1]") {
    auto first = start_stage1();
    const auto port = std::to_string(first->port());
    auto second = start_stage1({"--bind", "127.0.0.1:" + port});
    const auto status = second->wait_for_exit(5s);
    INFO(second->output());
    REQUIRE(status);
    CHECK(*status == 1);
    CHECK(second->output().find("Error: 127.0.0.1:" + port + " is already in use") != std::string::npos);
    CHECK(second->output().find("terminate") == std::string::npos);  // no uncaught exception
}

TEST_CASE("bad flags print the usage and exit 2", "[stage1]") {
    const auto [arguments, message] = GENERATE(table<std::vector<std::string>, std::string>({
        {{"--no-such-flag"}, "--no-such-flag"},
        {{"--bind"}, "--bind"},
        {{"--bind", "127.0.0.1:99999"}, "the port must be a number"},
        {{"--bind", "unix:"}, "unix: needs a path"},
        {{"extra-argument"}, "extra-argument"},
    }));
    std::vector<std::string> command{binary("stage1-devserver")};
    command.insert(command.end(), arguments.begin(), arguments.end());
    const auto result = run_command(command);
    INFO(result.output);
    CHECK(result.exit_status == 2);
    CHECK(result.output.find("Usage:") != std::string::npos);
    CHECK(result.output.find("stage1-devserver: error:") != std::string::npos);
    CHECK(result.output.find(message) != std::string::npos);
}

TEST_CASE("the help and version flags exit 0", "[stage1]") {
    const auto help = run_command({binary("stage1-devserver"), "--help"});
    CHECK(help.exit_status == 0);
    CHECK(help.output.find("--bind") != std::string::npos);
    const auto version = run_command({binary("stage1-devserver"), "--version"});
    CHECK(version.exit_status == 0);
    CHECK(version.output.find("webstack") != std::string::npos);
}

TEST_CASE("SIGTERM and SIGINT stop the server with exit status 0", "[stage1]") {
    for (int signal_number : {SIGTERM, SIGINT}) {
        auto server = start_stage1();
        server->port();
        server->send_signal(signal_number);
        const auto status = server->wait_for_exit(3s);
        INFO(server->output());
        REQUIRE(status);
        CHECK(*status == 0);
    }
}

TEST_CASE("SIGTERM stops the server promptly while a client waits on /slow", "[stage1]") {
    auto server = start_stage1();
    RawClient client(server->port());
    client.send(get("/slow?seconds=30"));
    server->send_signal(SIGTERM);
    const auto status = server->wait_for_exit(3s);
    INFO(server->output());
    REQUIRE(status);
    CHECK(*status == 0);
}

TEST_CASE("it listens on a Unix socket", "[stage1]") {
    const std::string path = "/tmp/webstack-stage1-test-" + std::to_string(::getpid()) + ".sock";
    auto server = start_stage1({"--bind", "unix:" + path});
    REQUIRE(server->wait_for_output("Listening at: unix:" + path));
    auto client = RawClient::unix_socket(path);
    const auto response = client.exchange(get("/"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->status == 200);
    server->send_signal(SIGTERM);
    REQUIRE(server->wait_for_exit(3s) == 0);
    CHECK(::access(path.c_str(), F_OK) != 0);  // the socket file is removed on exit
}

TEST_CASE("it listens on IPv6 loopback", "[stage1]") {
    const int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    const bool has_ipv6 = probe >= 0 && ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    if (probe >= 0) ::close(probe);
    if (!has_ipv6) {
        std::cout << "SKIPPED: this machine has no IPv6 loopback" << std::endl;
        std::exit(77);
    }
    auto server = start_stage1({"--bind", "[::1]:0"});
    CHECK(server->wait_for_output(R"(Listening at: http://\[::1\]:\d+)"));
}
