#include "config.hpp"

#include "cli/command_line.hpp"
#include "log/access_log.hpp"

#include <cstdlib>

namespace webstack::stage3 {

std::optional<int> parse_command_line(int argc, char** argv, Config& config) {
    if (const char* concurrency = std::getenv("WEB_CONCURRENCY")) config.workers = std::atoi(concurrency);
    if (config.workers < 1) config.workers = 1;
    config.access_logformat = std::string(log::gunicorn_default_access_format);

    CLI::App cli{"A prefork WSGI-style server, like Gunicorn: a master process forks and supervises\n"
                 "worker processes, which host an app built against wsgi/contract.hpp.",
                 "stage3-prefork-server"};
    cli::add_common_flags(cli);
    cli.add_option("app", config.app, "MODULE:CALLABLE, e.g. hello_world:process_http_request")->required();
    cli.add_option("-b,--bind", config.bind, "Where to listen (repeatable): HOST:PORT, [::1]:PORT or unix:PATH")
        ->check(cli::bind_address_validator())
        ->capture_default_str();
    cli.add_option("-w,--workers", config.workers, "Worker processes (default: $WEB_CONCURRENCY, else 1)")
        ->check(CLI::Range(1, 500))
        ->capture_default_str();
    cli.add_option("--max-workers", config.max_workers,
                   "The most workers TTIN may add up to (not Gunicorn's: it has no limit)")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    cli.add_option("-k,--worker-class", config.worker_class, "sync (one request at a time) or async (Asio coroutines)")
        ->check(CLI::IsMember({"sync", "async"}))
        ->capture_default_str();
    cli.add_option("-t,--timeout", config.timeout, "Kill a worker silent for this many seconds (0: never)")
        ->check(CLI::Range(0, 86400))
        ->capture_default_str();
    cli.add_option("--graceful-timeout", config.graceful_timeout, "Seconds workers get to finish after SIGTERM")
        ->check(CLI::Range(0, 86400))
        ->capture_default_str();
    cli.add_option("--keep-alive", config.keep_alive, "Seconds an idle keep-alive connection stays open (async)")
        ->check(CLI::Range(0, 3600))
        ->capture_default_str();
    cli.add_option("--max-requests", config.max_requests, "Restart a worker after this many requests (0: never)")
        ->check(CLI::Range(0, 1000000000))
        ->capture_default_str();
    cli.add_option("--max-requests-jitter", config.max_requests_jitter, "Add up to this many to --max-requests, per worker")
        ->check(CLI::Range(0, 1000000000))
        ->capture_default_str();
    cli.add_option("--backlog", config.backlog, "Connections the kernel queues before refusing")
        ->check(CLI::Range(1, 65535))
        ->capture_default_str();
    cli.add_flag("--preload", config.preload, "Load the app in the master, before forking");
    cli.add_flag("--reuse-port", config.reuse_port, "Set SO_REUSEPORT on the listening sockets");
    cli.add_option("-p,--pid", config.pidfile, "Write the master's pid to this file");
    cli.add_option("--access-logfile", config.access_logfile, "Access log file, or - for stdout (default: off)");
    cli.add_option("--access-logformat", config.access_logformat, "Access log format, with Gunicorn's atoms")
        ->capture_default_str();
    cli.add_option("--error-logfile", config.error_logfile, "Error log file, or - for stderr")->capture_default_str();
    cli.add_option("--log-level", config.log_level, "debug, info, warning, error or critical")
        ->check(CLI::IsMember({"debug", "info", "warning", "error", "critical"}))
        ->capture_default_str();
    cli.add_option("--limit-request-line", config.limit_request_line, "Longest request line, 0 for no limit")
        ->check(CLI::Range(0, 8190))
        ->capture_default_str();
    cli.add_option("--limit-request-fields", config.limit_request_fields, "Most header fields, 0 for no limit")
        ->check(CLI::Range(0, 32768))
        ->capture_default_str();
    cli.add_option("--limit-request-field-size", config.limit_request_field_size, "Largest header field, 0 for no limit")
        ->check(CLI::Range(0, 1048576))
        ->capture_default_str();
    cli.add_option("--forwarded-allow-ips", config.forwarded_allow_ips,
                   "Front-end addresses allowed to set the scheme (X-Forwarded-Proto, -Ssl, -Protocol)")
        ->delimiter(',')
        ->capture_default_str();
    cli.add_option("--app-path", config.app_paths, "A folder to look for MODULE.so in (repeatable)");
    cli.add_option("--chdir", config.chdir, "Change to this folder before loading the app");
    cli.add_option("--pythonpath", config.python_paths,
                   "Folders to add to Python's path, after the app's folder (comma-separated)")
        ->delimiter(',');
    cli.add_option("-e,--env", config.raw_env, "Set an environment variable: KEY=VALUE (repeatable)")
        ->check([](const std::string& value) {
            return value.find('=') == std::string::npos || value.front() == '=' ? "not KEY=VALUE: " + value : "";
        });
    cli.add_option("--home", config.home,
                   "A virtual environment for Python apps (uWSGI's name; default: $VIRTUAL_ENV)");
    cli.add_flag("--reload", config.reload, "Restart workers when the app's code changes (its .so or .py files)");
    cli.add_option("-c,--config", config.config_file, "Gunicorn's Python config file: not read (we say what to use)");
    cli.add_flag("--check-config", config.check_config, "Load the app and exit: 0 if it loads, 1 if not");
    return cli::parse(cli, argc, argv);
}

http::ParserLimits parser_limits(const Config& config) {
    const auto or_unlimited = [](int value, std::size_t unlimited) {
        return value == 0 ? unlimited : static_cast<std::size_t>(value);
    };
    return http::ParserLimits{.max_request_line = or_unlimited(config.limit_request_line, 1 << 20),
                              .max_header_count = or_unlimited(config.limit_request_fields, 32768),
                              .max_header_field_size = or_unlimited(config.limit_request_field_size, 1 << 20),
                              .max_body_size = 100 * 1024 * 1024,
                              // Gunicorn 23 splits the head on CRLF and refuses a CR or LF left in it
                              .line_ends = http::LineEnds::CrlfOnly};
}

int status_for(http::ParseErrorKind kind) {
    switch (kind) {
        case http::ParseErrorKind::HeaderFieldsTooLarge: return 431;
        case http::ParseErrorKind::UnknownTransferCoding: return 501;
        case http::ParseErrorKind::BodyTooLarge: return 413;
        default: return 400;
    }
}

}  // namespace webstack::stage3
