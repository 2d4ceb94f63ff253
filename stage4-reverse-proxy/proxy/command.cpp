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
#include "proxy/access_logs.hpp"
#include "proxy/nginx_version.hpp"
#include "proxy/process_setup.hpp"
#include "proxy/proxy_server.hpp"
#include "proxy/tls.hpp"

#include <fmt/format.h>

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <grp.h>
#include <pwd.h>
#include <set>
#include <sys/resource.h>
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
    std::string problem;
    if (!open_access_logs(config, problem)) {
        emergency(problem);
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
    std::shared_ptr<const TlsContexts> tls;  // the certificates, loaded (and checked) once
};

// Reads and checks a config file; nothing when it is wrong (the reason is logged).
std::optional<Loaded> read_config(const ConfigSource& source, const Module& module, bool to_log) {
    try {
        Loaded loaded;
        auto config = std::make_shared<Config>(load_config(source, &module.language));
        check_variables(*config);
        create_temp_folders(*config);
        (void)group_by_listen_address(*config);
        if (module.load) loaded.content = module.load(*config);
        loaded.tls = std::make_shared<const TlsContexts>(*config);
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
    Master(Loaded loaded, ConfigSource source, const Module& module)
        : config_(loaded.config), content_(loaded.content), tls_(loaded.tls), source_(std::move(source)),
          module_(module) {}

    int run() {
        if (config_->worker_rlimit_nofile > 0) {
            const rlimit limit{static_cast<rlim_t>(config_->worker_rlimit_nofile),
                               static_cast<rlim_t>(config_->worker_rlimit_nofile)};
            if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
                log::warning("setrlimit(RLIMIT_NOFILE, {}) failed ({})", config_->worker_rlimit_nofile,
                             std::strerror(errno));
        }
        try {
            listeners_ = bind_listeners(io_, *config_, {});
        } catch (const net::ListenError& error) {
            emergency(error.what());
            return 1;
        }
        if (config_->daemon && !become_daemon(config_->error_log == "stderr")) {
            emergency(fmt::format("fork() failed ({})", std::strerror(errno)));
            return 1;
        }
        arbiter::ArbiterHooks hooks;
        hooks.close_listeners = [this] {
            for (auto& open : listeners_) open.listener->close();
        };
        hooks.reopen_logs = [] {
            log::reopen_log_files();
            reopen_access_logs();
        };
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
        for (const auto& open : listeners_) {
            auto url = open.listener->url();
            if (open.ssl && url.starts_with("http://")) url.replace(0, 4, "https");
            options.listening_urls.push_back(url);
        }
        return options;
    }

    // A worker process, with the config current at the fork.
    int work(arbiter::WorkerContext& context) {
        const auto config = config_;
        const auto content = content_;
        const auto tls = tls_;
        log::notice(fmt::format("start worker process {}", ::getpid()));
        if (!switch_user(*config)) return 1;
        // One thread, and only it, ever touches this event loop: no
        // resolver threads (we resolve no names), signals arrive through
        // Asio's pipe. So Asio may leave out its locks (UNSAFE: unsafe
        // only for a loop that several threads share).
        boost::asio::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE);
        ProxyServer server(io, *config, listeners_, context.master_pid, content.get(), tls.get());
        context.booted = true;  // from here on, an exception is a crash, not a failed boot
        server.run();
        return 0;
    }

    // nginx's reload: a config that does not load is refused, and the old
    // workers go on with the old one.
    bool reload() {
        auto next = read_config(source_, module_, true);
        if (!next) return false;
        try {
            listeners_ = bind_listeners(io_, *next->config, listeners_);
        } catch (const net::ListenError& error) {
            log::write(log::Level::Critical, error.what());
            return false;
        }
        std::string problem;
        if (!open_access_logs(*next->config, problem)) {  // the files a new access_log names
            log::write(log::Level::Critical, problem);
            return false;
        }
        config_ = next->config;
        content_ = next->content;
        tls_ = next->tls;
        log::notice("reconfiguring: " + config_->file.string());
        return true;
    }

    boost::asio::io_context io_;  // never run: it only owns the listening sockets
    std::vector<OpenListener> listeners_;
    std::shared_ptr<const Config> config_;
    std::shared_ptr<const ContentHandler> content_;
    std::shared_ptr<const TlsContexts> tls_;
    const ConfigSource source_;  // reread on reload: the same -c, -p, -g, -e
    const Module& module_;
};

// -T: the configuration, every file as read, after "-t"'s verdict.
void dump_config(const Config& config) {
    for (const auto& file : config.files) {
        std::ifstream in(file);
        std::cout << "# configuration file " << file.string() << ":\n" << in.rdbuf() << "\n";
    }
}

}  // namespace

int run_command(int argc, char** argv, const Program& about) {
    program = about.name;
    CLI::App cli{about.description, program};
    cli::add_common_flags(cli);
    ConfigSource source{"nginx.conf", std::nullopt, "", ""};
    std::string prefix, signal_name;
    bool test_only = false, test_and_dump = false, quiet = false, show_version = false, show_build = false;
    cli.add_option("-c", source.file, "The configuration file (default: nginx.conf in the current folder)");
    cli.add_option("-p", prefix, "The prefix: relative paths in the configuration resolve against it "
                                 "(default: the configuration file's folder)");
    cli.add_option("-e", source.error_log, "The error log until the configuration names one (\"stderr\": the terminal)");
    cli.add_option("-g", source.globals, "Main-level directives, as if written first in the file: -g 'daemon off;'");
    cli.add_flag("-t", test_only, "Test the configuration and exit");
    cli.add_flag("-T", test_and_dump, "Test the configuration, print it (every file) and exit");
    cli.add_flag("-q", quiet, "With -t: print only errors");
    cli.add_flag("-v", show_version, "Print the nginx version imitated and exit");
    cli.add_flag("-V", show_build, "Print the version and the modules built in, and exit");
    cli.add_option("-s", signal_name, "Send a signal to the running master: reload, reopen, quit or stop");
    if (auto exit_status = cli::parse(cli, argc, argv, 1)) return *exit_status;  // nginx exits 1 on a bad option
    // nginx prints its version on standard error.
    if (show_version || show_build) {
        std::cerr << (show_build ? build_report(program, about.module.static_files) : version_line(program) + "\n");
        return 0;
    }
    if (!prefix.empty()) source.prefix = prefix;
    net::ignore_sigpipe();

    test_only = test_only || test_and_dump;
    auto loaded = read_config(source, about.module, false);
    if (!loaded) {
        if (test_only) std::cerr << program << ": configuration file " << source.file.string() << " test failed\n";
        return 1;
    }
    const auto& file = loaded->config->file.string();
    if (test_only) {
        if (!quiet)
            std::cerr << program << ": the configuration file " << file << " syntax is ok\n"
                      << program << ": configuration file " << file << " test is successful\n";
        if (test_and_dump) dump_config(*loaded->config);
        return 0;
    }
    if (!signal_name.empty()) return send_signal(*loaded->config, signal_name);
    if (!open_logs(*loaded->config)) return 1;
    return Master(*loaded, source, about.module).run();  // the master binds; the workers it forks share the sockets
}

}  // namespace webstack::stage4
