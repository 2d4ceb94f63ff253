// stage2-wsgi-callable: stage 1's simple server, now hosting any app
// through the contract (the part wsgiref.simple_server and runserver play).
//   stage2-wsgi-callable MODULE:CALLABLE [--bind 127.0.0.1:8000] [--app-path DIR]... [--pythonpath DIR,...]
//                        [--home VENV] [--validate] [--reload]
#include "cli/command_line.hpp"
#include "dev_server.hpp"
#include "error_status.hpp"
#include "log/log.hpp"
#include "log/runserver_log.hpp"
#include "middleware/middleware.hpp"
#include "net/stop_signals.hpp"
#include "reloader.hpp"
#include "wsgi/app_loader.hpp"
#include "wsgi/gateway.hpp"

#include <fmt/chrono.h>

#include <cstdlib>
#include <ctime>

using namespace webstack;

namespace {
// Gunicorn's exit status for "App failed to load".
constexpr int app_load_failed = 4;

struct Options {
    std::string app_spec;
    std::string bind = "127.0.0.1:8000";
    std::vector<std::string> app_paths;
    std::vector<std::string> python_paths;
    std::string home;
    bool validate = false;
    bool reload = false;
};

void print_banner(const std::string& url, const wsgi::LoadedApplication& app, const Options& options) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    log::write_line(fmt::format("{:%B %d, %Y - %H:%M:%S}", local));
    log::write_line(fmt::format("webstack stage2-wsgi-callable, chapter 2 of TUTORIAL.md, serving the {}{}{}",
                                wsgi::describe(app), options.validate ? ", validated" : "",
                                options.reload ? ", reloading on change" : ""));
    log::write_line("Starting development server at " + (url.starts_with("http") ? url + "/" : url));
    log::write_line("Quit the server with CONTROL-C.");
    log::write_line("");
    log::write_line("WARNING: This is a development server. Do not use it in a production setting.");
    log::write_line("Listening at: " + url);
}

int serve(const Options& options, char** argv) {
    wsgi::LoadedApplication app;
    try {
        app = wsgi::load_application(options.app_spec, wsgi::app_locations(options.app_paths, options.python_paths, options.home));
    } catch (const wsgi::LoadError& error) {
        log::write_line(fmt::format("Error: App failed to load: {}", error.what()));
        return app_load_failed;
    }
    wsgi::Application application = options.validate ? wsgi::validator(app.application) : app.application;

    boost::asio::io_context io;
    auto inherited = stage2::inherited_socket();
    net::Listener listener = inherited ? net::Listener(io, inherited->fd, inherited->url)
                                       : net::Listener(io, net::parse_bind_address(options.bind).address);
    print_banner(listener.url(), app, options);

    stage2::FileWatcher watcher(options.reload ? app.source_files : [] { return std::vector<std::string>{}; });
    std::optional<std::string> changed_file;
    stage1::DevServerOptions server_options;
    server_options.limits = stage1::runserver_limits();
    server_options.status_for_error = stage1::status_for;
    server_options.server_name = "webstack-stage2";
    if (options.reload) server_options.between_connections = [&] { return (changed_file = watcher.changed()).has_value(); };

    stage1::DevServer server(
        listener,
        [&application](const http::Request& request, const net::Endpoints& connection, stage1::ResponseWriter& writer) {
            wsgi::serve(application, request, connection, writer);
        },
        server_options);
    server.run();
    if (changed_file) {
        // runserver's words
        log::runserver_message(fmt::format("{} changed, reloading.", *changed_file));
        stage2::restart_keeping_socket(listener, argv);
        log::write_line("Error: could not restart the server for --reload");
        return 1;
    }
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"A simple WSGI-style server: stage 1's loop, hosting any app built against\n"
                 "wsgi/contract.hpp, loaded by name like gunicorn MODULE:CALLABLE.",
                 "stage2-wsgi-callable"};
    cli::add_common_flags(cli);
    Options options;
    cli.add_option("app", options.app_spec, "MODULE:CALLABLE, e.g. hello_world:process_http_request "
                                            "(CALLABLE defaults to \"application\")")
        ->required();
    cli.add_option("-b,--bind", options.bind, "Where to listen: HOST:PORT, [::1]:PORT or unix:PATH (port 0: any free port)")
        ->check(cli::bind_address_validator())
        ->capture_default_str();
    cli.add_option("--app-path", options.app_paths, "A folder to look for MODULE.so in (repeatable), before the "
                                                    "current folder and the apps folder of this build");
    cli.add_option("--pythonpath", options.python_paths,
                   "Folders to add to Python's path, after the current folder (comma-separated, as Gunicorn's)")
        ->delimiter(',');
    cli.add_option("--home", options.home, "A virtual environment for Python apps (uWSGI's name; default: $VIRTUAL_ENV)");
    cli.add_flag("--validate", options.validate, "Wrap the app in the validator middleware (like wsgiref.validate)");
    cli.add_flag("--reload", options.reload, "Restart when the app's code changes on disk (its .so, or its Python modules)");
    if (auto exit_status = cli::parse(cli, argc, argv)) return *exit_status;

    if (options.home.empty()) {
        if (const char* active = std::getenv("VIRTUAL_ENV")) options.home = active;
    }
    net::ignore_sigpipe();
    net::install_stop_signals();
    try {
        return serve(options, argv);
    } catch (const net::ListenError& error) {
        log::write_line(fmt::format("Error: {}", error.what()));
        return 1;
    }
}
