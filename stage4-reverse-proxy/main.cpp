// stage4-reverse-proxy: the front of the stack, like nginx. It reads an
// nginx.conf and forwards each request to the application server its
// `location` names.
//
//   stage4-reverse-proxy [-c FILE] [-t]
#include "cli/command_line.hpp"
#include "config/config.hpp"
#include "log/log.hpp"
#include "net/listener.hpp"
#include "net/stop_signals.hpp"
#include "proxy/proxy_server.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <unistd.h>

using namespace webstack;

namespace {
constexpr const char* program = "stage4-reverse-proxy";

// nginx's way of saying a config is wrong: "nginx: [emerg] MESSAGE".
void emergency(const std::string& message) { std::cerr << program << ": [emerg] " << message << '\n'; }

// The config's logging: where the error log and the access log go.
bool open_logs(const stage4::Config& config) {
    log::set_style(log::Style::Nginx);
    log::Level level = log::Level::Error;
    const auto& name = config.error_log_level;
    if (name == "debug") level = log::Level::Debug;
    else if (name == "info" || name == "notice") level = log::Level::Info;
    else if (name == "warn") level = log::Level::Warning;
    else if (name == "crit" || name == "alert" || name == "emerg") level = log::Level::Critical;
    log::set_level(level);
    if (config.error_log != "stderr" && !log::set_error_log(config.resolve(config.error_log).string())) {
        emergency("open() \"" + config.resolve(config.error_log).string() + "\" failed (the error_log)");
        return false;
    }
    // One access log for the whole server in this part: the first server's.
    const auto& access_log = config.servers.front().settings.access_log;
    const std::string path = !access_log ? "" : *access_log == "/dev/stdout" ? "-" : config.resolve(*access_log).string();
    if (!path.empty() && !log::set_access_log(path)) {
        emergency("open() \"" + path + "\" failed (the access_log)");
        return false;
    }
    return true;
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"A reverse proxy configured like nginx: it reads nginx.conf and passes requests on to the\n"
                 "application servers its locations name.",
                 program};
    cli::add_common_flags(cli);
    std::string config_file = "nginx.conf";
    bool test_only = false;
    cli.add_option("-c", config_file, "The configuration file (default: nginx.conf in the current folder)");
    cli.add_flag("-t", test_only, "Test the configuration and exit");
    if (auto exit_status = cli::parse(cli, argc, argv, 1)) return *exit_status;  // nginx exits 1 on a bad option
    net::ignore_sigpipe();

    stage4::Config config;
    try {
        config = stage4::load_config(config_file);
        stage4::check_variables(config);
        (void)stage4::group_by_listen_address(config);
    } catch (const stage4::ConfigError& error) {
        emergency(error.what());
        if (test_only) std::cerr << program << ": configuration file " << config_file << " test failed\n";
        return 1;
    }
    if (test_only) {
        std::cerr << program << ": the configuration file " << config.file.string() << " syntax is ok\n"
                  << program << ": configuration file " << config.file.string() << " test is successful\n";
        return 0;
    }
    if (!open_logs(config)) return 1;
    try {
        boost::asio::io_context io;
        stage4::ProxyServer server(io, config);
        if (!config.pid.empty()) std::ofstream(config.resolve(config.pid)) << ::getpid() << '\n';
        log::notice(fmt::format("{} (webstack) started with {}", program, config.file.string()));
        server.run();
        if (!config.pid.empty()) ::unlink(config.resolve(config.pid).c_str());
    } catch (const net::ListenError& error) {
        emergency(error.what());
        return 1;
    }
    return 0;
}
