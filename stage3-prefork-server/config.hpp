// stage3-prefork-server's settings: Gunicorn's flags, with Gunicorn's names
// and defaults, so that Gunicorn's documentation describes ours too
// (https://docs.gunicorn.org/en/stable/settings.html).
#pragma once

#include "http/parse_error.hpp"
#include "http/parser.hpp"

#include <optional>
#include <string>
#include <vector>

namespace webstack::stage3 {

struct Config {
    std::string app;                            // MODULE:CALLABLE
    std::vector<std::string> bind{"127.0.0.1:8000"};
    int workers = 1;                            // default: $WEB_CONCURRENCY, else 1
    int max_workers = 1024;                     // TTIN stops here (ours; Gunicorn has no limit)
    std::string worker_class = "sync";          // sync | async
    int timeout = 30;
    int graceful_timeout = 30;
    int keep_alive = 2;
    int max_requests = 0;
    int max_requests_jitter = 0;
    int backlog = 2048;
    bool preload = false;
    bool reuse_port = false;
    std::string pidfile;
    std::string access_logfile;                 // "" = off, "-" = stdout
    std::string access_logformat;
    std::string error_logfile = "-";
    std::string log_level = "info";
    int limit_request_line = 4094;
    int limit_request_fields = 100;
    int limit_request_field_size = 8190;
    std::vector<std::string> forwarded_allow_ips{"127.0.0.1", "::1"};
    std::vector<std::string> app_paths;
    // For Python apps:
    std::string chdir;                          // change to this folder before loading the app
    std::vector<std::string> python_paths;      // --pythonpath, after the app's folder
    std::vector<std::string> raw_env;           // -e KEY=VALUE
    std::string home;                           // a virtual environment (uWSGI's --home; default $VIRTUAL_ENV)
    bool reload = false;                        // restart workers when the app's code changes
    std::string config_file;                    // -c: refused, with the flags to use instead
    bool check_config = false;
};

// Parses the command line. Returns the exit status when the program should
// stop now (0 after --help, 2 after a bad flag or value).
std::optional<int> parse_command_line(int argc, char** argv, Config& config);

// The parser limits from --limit-request-*; 0 means "no limit", as in Gunicorn.
http::ParserLimits parser_limits(const Config& config);

// Gunicorn 23's answers to bad requests (gunicorn/workers/base.py): almost
// everything is 400, including a request line over --limit-request-line;
// header fields over their limits are 431; an unknown Transfer-Encoding 501.
// Gunicorn has no body limit: ours (100 MiB, 413) only bounds memory.
int status_for(http::ParseErrorKind kind);

}  // namespace webstack::stage3
