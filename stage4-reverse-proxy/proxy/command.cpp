// The command line of stage 4 (and, with a module, of stage 5). Like
// nginx, a master process binds the listening sockets and forks
// `worker_processes` workers that serve (stage 3's arbiter, in nginx's
// dialect of signals); the master only watches them and handles signals.
#include "proxy/command.hpp"

#include "arbiter/arbiter.hpp"
#include "cli/command_line.hpp"
#include "config/config.hpp"
#include "log/log.hpp"
#include "net/listener.hpp"
#include "net/stop_signals.hpp"
#include "proxy/proxy_server.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <unistd.h>

namespace webstack::stage4 {

namespace {
std::string program;  // the running program's name, for messages

// nginx's way of saying a config is wrong: "nginx: [emerg] MESSAGE".
void emergency(const std::string& message) { std::cerr << program << ": [emerg] " << message << '\n'; }

// The config's logging: where the error log and the access log go.
bool open_logs(const Config& config) {
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
    // One access log file for the whole proxy: the first server's (`access_log off`
    // in any block still silences that block).
    const auto& access_log = config.servers.front().settings.access_log;
    const std::string path = !access_log ? "" : *access_log == "/dev/stdout" ? "-" : config.resolve(*access_log).string();
    if (!path.empty() && !log::set_access_log(path)) {
        emergency("open() \"" + path + "\" failed (the access_log)");
        return false;
    }
    return true;
}

// -s SIGNAL: nginx's way to steer a running master, found by its pid file.
int send_signal(const Config& config, const std::string& name) {
    const std::map<std::string, int> signals = {
        {"reload", SIGHUP}, {"reopen", SIGUSR1}, {"quit", SIGQUIT}, {"stop", SIGTERM}};
    const auto found = signals.find(name);
    if (found == signals.end()) {
        std::cerr << program << ": invalid option: \"-s " << name << "\" (reload, reopen, quit or stop)\n";
        return 1;
    }
    const auto pidfile = config.resolve(config.pid.empty() ? "nginx.pid" : config.pid);
    std::ifstream in(pidfile);
    pid_t pid = 0;
    if (!(in >> pid) || pid <= 0) {
        std::cerr << program << ": [error] open() \"" << pidfile.string() << "\" failed (is the proxy running?)\n";
        return 1;
    }
    if (::kill(pid, found->second) != 0) {
        std::cerr << program << ": [error] kill(" << pid << ", " << found->second << ") failed (" << std::strerror(errno)
                  << ")\n";
        return 1;
    }
    return 0;
}

// A config as the workers use it: the settings, and the module's handler.
struct Loaded {
    std::shared_ptr<const Config> config;
    std::shared_ptr<const ContentHandler> content;
};

// Reads and checks a config file; nothing when it is wrong (the reason is logged).
std::optional<Loaded> read_config(const std::string& file, const Module& module, bool to_log) {
    try {
        Loaded loaded;
        auto config = std::make_shared<Config>(load_config(file, &module.language));
        check_variables(*config);
        (void)group_by_listen_address(*config);
        if (module.load) loaded.content = module.load(*config);
        for (const auto& warning : config->warnings) {
            if (to_log) log::warning("{}", warning);
            else std::cerr << program << ": [warn] " << warning << '\n';
        }
        loaded.config = std::move(config);
        return loaded;
    } catch (const ConfigError& error) {
        if (to_log) log::write(log::Level::Critical, error.what());
        else emergency(error.what());
        return std::nullopt;
    }
}

// The master process: it owns the listening sockets and the current
// config; stage 3's arbiter forks the workers, watches them, and calls
// back here for a reload (HUP).
class Master {
public:
    Master(Loaded loaded, const Module& module) : config_(loaded.config), content_(loaded.content), module_(module) {}

    int run() {
        try {
            listeners_ = bind_listeners(io_, *config_, {});
        } catch (const net::ListenError& error) {
            emergency(error.what());
            return 1;
        }
        arbiter::ArbiterHooks hooks;
        hooks.close_listeners = [this] {
            for (auto& open : listeners_) open.listener->close();
        };
        hooks.reopen_logs = [] { log::reopen_log_files(); };
        hooks.reload_config = [this] { return reload(); };
        return arbiter::Arbiter(arbiter_options(), [this](arbiter::WorkerContext& context) { return work(context); },
                                hooks)
            .run();
    }

private:
    arbiter::ArbiterOptions arbiter_options() const {
        arbiter::ArbiterOptions options;
        options.dialect = arbiter::Dialect::Nginx;
        options.program = std::string(program) + " (webstack) with " + config_->file.string();
        options.workers = config_->worker_processes;
        options.timeout = std::chrono::seconds(0);            // nginx does not kill busy workers
        options.graceful_timeout = std::chrono::seconds(60);  // then SIGKILL (nginx's worker_shutdown_timeout)
        options.pidfile = config_->resolve(config_->pid.empty() ? "nginx.pid" : config_->pid).string();
        options.worker_class = "nginx-style proxy";
        for (const auto& open : listeners_) options.listening_urls.push_back(open.listener->url());
        return options;
    }

    // A worker process, with the config current at the fork.
    int work(arbiter::WorkerContext& context) {
        const auto config = config_;
        const auto content = content_;
        log::notice(fmt::format("start worker process {}", ::getpid()));
        // One thread, and only it, ever touches this event loop: no
        // resolver threads (we resolve no names), signals arrive through
        // Asio's pipe. So Asio may leave out its locks (UNSAFE: unsafe
        // only for a loop that several threads share).
        boost::asio::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE);
        ProxyServer server(io, *config, listeners_, context.master_pid, content.get());
        context.booted = true;  // from here on, an exception is a crash, not a failed boot
        server.run();
        return 0;
    }

    // nginx's reload: a config that does not load is refused, and the old
    // workers go on with the old one.
    bool reload() {
        auto next = read_config(config_->file.string(), module_, true);
        if (!next) return false;
        try {
            listeners_ = bind_listeners(io_, *next->config, listeners_);
        } catch (const net::ListenError& error) {
            log::write(log::Level::Critical, error.what());
            return false;
        }
        config_ = next->config;
        content_ = next->content;
        log::notice("reconfiguring: " + config_->file.string());
        return true;
    }

    boost::asio::io_context io_;  // never run: it only owns the listening sockets
    std::vector<OpenListener> listeners_;
    std::shared_ptr<const Config> config_;
    std::shared_ptr<const ContentHandler> content_;
    const Module& module_;
};
}  // namespace

int run_command(int argc, char** argv, const Program& about) {
    program = about.name;
    CLI::App cli{about.description, program};
    cli::add_common_flags(cli);
    std::string config_file = "nginx.conf";
    std::string signal_name;
    bool test_only = false;
    cli.add_option("-c", config_file, "The configuration file (default: nginx.conf in the current folder)");
    cli.add_flag("-t", test_only, "Test the configuration and exit");
    cli.add_option("-s", signal_name, "Send a signal to the running master: reload, reopen, quit or stop");
    if (auto exit_status = cli::parse(cli, argc, argv, 1)) return *exit_status;  // nginx exits 1 on a bad option
    net::ignore_sigpipe();

    auto loaded = read_config(config_file, about.module, false);
    if (!loaded) {
        if (test_only) std::cerr << program << ": configuration file " << config_file << " test failed\n";
        return 1;
    }
    const auto& file = loaded->config->file.string();
    if (test_only) {
        std::cerr << program << ": the configuration file " << file << " syntax is ok\n"
                  << program << ": configuration file " << file << " test is successful\n";
        return 0;
    }
    if (!signal_name.empty()) return send_signal(*loaded->config, signal_name);
    if (!open_logs(*loaded->config)) return 1;
    return Master(*loaded, about.module).run();  // the master binds; the workers it forks share the sockets
}

}  // namespace webstack::stage4
