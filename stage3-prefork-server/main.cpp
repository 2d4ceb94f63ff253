// stage3-prefork-server: Gunicorn, rebuilt.
//   stage3-prefork-server MODULE:CALLABLE [-b 127.0.0.1:8000] [-w WORKERS] [-k sync|async] ...
// Reads Gunicorn's flags, opens the listening sockets (before any fork, so
// every worker shares them), maybe loads the app (--preload), and hands
// over to the arbiter.
#include "arbiter/arbiter.hpp"
#include "config.hpp"
#include "log/log.hpp"
#include "net/listener.hpp"
#include "python/bridge.hpp"
#include "wsgi/app_loader.hpp"
#include "workers/worker.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <unistd.h>

using namespace webstack;

namespace {
bool set_up_logs(const stage3::Config& config) {
    log::Level level = log::Level::Info;
    log::parse_level(config.log_level, level);
    log::set_level(level);
    if (!log::set_error_log(config.error_logfile)) {
        log::write_line("Error: cannot open --error-logfile " + config.error_logfile);
        return false;
    }
    if (!config.access_logfile.empty() && !log::set_access_log(config.access_logfile)) {
        log::write_line("Error: cannot open --access-logfile " + config.access_logfile);
        return false;
    }
    return true;
}

// Each worker retires after --max-requests plus its own random jitter, so
// that workers started together do not all restart together.
int max_requests_with_jitter(const stage3::Config& config) {
    if (config.max_requests == 0) return 0;
    std::mt19937 random(static_cast<unsigned>(::getpid()));
    return config.max_requests + std::uniform_int_distribution<int>(0, config.max_requests_jitter)(random);
}

// What Gunicorn does with its settings before anything else: -c, --chdir,
// -e, and (ours) the virtual environment. False after an error line.
bool apply_process_settings(stage3::Config& config) {
    if (!config.config_file.empty()) {
        log::write_line("Error: -c " + config.config_file + ": this server does not read Gunicorn's Python config "
                        "files; give its settings as flags (-b, -w, -k, -t, --chdir, --pythonpath, -e, --home, "
                        "--preload, --reload, --access-logfile, --error-logfile)");
        return false;
    }
    // Gunicorn reads ./gunicorn.conf.py when there is one and no -c.
    if (::access("gunicorn.conf.py", F_OK) == 0)
        log::warning("./gunicorn.conf.py is not read (Gunicorn would read it): give its settings as flags");
    if (!config.chdir.empty() && ::chdir(config.chdir.c_str()) != 0) {
        log::write_line("Error: --chdir " + config.chdir + ": " + std::strerror(errno));
        return false;
    }
    for (const auto& setting : config.raw_env) {
        const auto equals = setting.find('=');
        ::setenv(setting.substr(0, equals).c_str(), setting.substr(equals + 1).c_str(), 1);
    }
    if (config.home.empty()) {
        if (const char* active = std::getenv("VIRTUAL_ENV")) config.home = active;
    }
    return true;
}

int check_config(const stage3::Config& config, const wsgi::AppLocations& locations) {
    try {
        const auto app = wsgi::load_application(config.app, locations);
        log::write_line("Config OK: the " + wsgi::describe(app) + " loads");
        return 0;
    } catch (const wsgi::LoadError& error) {
        log::write_line(std::string("Error: App failed to load: ") + error.what());
        return 1;
    }
}

// Which kind of app will run, said once by the master (the workers load it).
bool announce_application(const stage3::Config& config, const wsgi::AppLocations& locations) {
    try {
        const auto app = wsgi::resolve_application(config.app, locations, python::available());
        const bool python = app.kind == wsgi::AppKind::Python;
        if (python && !python::available()) throw wsgi::LoadError(python::unavailable_reason());
        const auto where = !app.file.empty() ? app.file
                                             : fmt::format("not in {} nor a .so: looked for on Python's path",
                                                           fmt::join(locations.python_path, ", "));
        log::info("Application: {} {} ({}), loaded {}", python ? "Python module" : "C++ module", app.module, where,
                  config.preload ? "by the master" : "by each worker");
        // With --preload, a new worker is a copy of the master's imported app.
        if (config.preload && config.reload)
            log::warning("--reload with --preload restarts workers, but they are forked from the master's copy of "
                         "the app: new code needs a restart of the master");
        // Python code runs on the worker's one thread: while it blocks
        // (a query, a sleep), no other connection of that worker moves.
        if (python && config.worker_class == "async")
            log::warning("-k async with a Python app: the app's blocking calls block the worker's event loop, "
                         "as in Gunicorn's gevent worker without monkey-patching");
        return true;
    } catch (const wsgi::LoadError& error) {
        log::error("App failed to load: {}", error.what());
        return false;
    }
}
using Listeners = std::vector<std::unique_ptr<net::Listener>>;

arbiter::ArbiterOptions arbiter_options(const stage3::Config& config, const Listeners& listeners) {
    arbiter::ArbiterOptions options;
    options.workers = config.workers;
    options.max_workers = config.max_workers;
    options.timeout = std::chrono::seconds(config.timeout);
    options.graceful_timeout = std::chrono::seconds(config.graceful_timeout);
    options.pidfile = config.pidfile;
    options.worker_class = config.worker_class;
    for (const auto& listener : listeners) options.listening_urls.push_back(listener->url());
    return options;
}

// What a worker is given, but its app.
stage3::WorkerSettings worker_settings(const stage3::Config& config, const Listeners& listeners) {
    stage3::WorkerSettings settings;
    for (const auto& listener : listeners) settings.listeners.push_back(listener.get());
    settings.timeout = std::chrono::seconds(config.timeout);
    settings.graceful_timeout = std::chrono::seconds(config.graceful_timeout);
    settings.keep_alive = std::chrono::seconds(config.keep_alive);
    settings.max_requests = max_requests_with_jitter(config);
    settings.limits = stage3::parser_limits(config);
    settings.access_log_format = config.access_logformat;
    settings.forwarded_allow_ips = config.forwarded_allow_ips;
    settings.multiprocess = config.workers > 1;
    return settings;
}
}  // namespace

int main(int argc, char** argv) {
    stage3::Config config;
    if (auto exit_status = stage3::parse_command_line(argc, argv, config)) return *exit_status;
    if (!set_up_logs(config)) return 1;
    if (!apply_process_settings(config)) return 1;
    const auto locations = wsgi::app_locations(config.app_paths, config.python_paths, config.home);
    if (config.check_config) return check_config(config, locations);
    if (!announce_application(config, locations)) return arbiter::app_load_error;
    std::signal(SIGPIPE, SIG_IGN);

    boost::asio::io_context io;
    Listeners listeners;
    try {
        for (const auto& bind : config.bind)
            listeners.push_back(std::make_unique<net::Listener>(io, net::parse_bind_address(bind).address,
                                                                config.backlog, config.reuse_port));
    } catch (const net::ListenError& error) {
        log::error("{}", error.what());
        return 1;
    }

    std::optional<wsgi::LoadedApplication> preloaded;
    if (config.preload) {
        try {
            preloaded = wsgi::load_application(config.app, locations);
        } catch (const wsgi::LoadError& error) {
            log::error("App failed to load: {}", error.what());
            return arbiter::app_load_error;
        }
    }

    auto worker_main = [&](arbiter::WorkerContext& context) -> int {
        auto settings = worker_settings(config, listeners);
        wsgi::LoadedApplication app;
        try {
            // Without --preload each worker loads the app itself: a HUP
            // then brings new code, since every new worker is a new process.
            app = preloaded ? *preloaded : wsgi::load_application(config.app, locations);
        } catch (const wsgi::LoadError& error) {
            log::error("Exception in worker process: App failed to load: {}", error.what());
            return arbiter::app_load_error;
        }
        settings.application = app.application;
        if (config.reload) stage3::start_reloader(app.source_files);
        context.booted = true;  // from here on, an exception is a crash, not a failed boot
        return config.worker_class == "async" ? stage3::run_async_worker(context, settings)
                                              : stage3::run_sync_worker(context, settings);
    };
    arbiter::ArbiterHooks hooks;
    hooks.close_listeners = [&] {
        for (auto& listener : listeners) listener->close();
    };
    hooks.reopen_logs = log::reopen_log_files;
    // An interpreter started by --preload must cross each fork safely.
    hooks.before_fork = python::before_fork;
    hooks.after_fork_in_parent = python::after_fork_in_parent;
    hooks.after_fork_in_child = python::after_fork_in_child;
    return arbiter::Arbiter(arbiter_options(config, listeners), worker_main, hooks).run();
}
