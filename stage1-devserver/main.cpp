// stage1-devserver: a naive development server, like `manage.py runserver`.
//   stage1-devserver [--bind 127.0.0.1:8000] [--nothreading]
// Reads the command line, opens the listening socket, prints runserver's
// banner, and hands the socket to the DevServer loop.
#include "cli/command_line.hpp"
#include "dev_server.hpp"
#include "error_status.hpp"
#include "log/log.hpp"
#include "net/stop_signals.hpp"
#include "routes.hpp"

#include <fmt/chrono.h>

#include <ctime>

using namespace webstack;

namespace {
void print_banner(const std::string& url, bool threading) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    const auto where = url.starts_with("http") ? url + "/" : url;
    log::write_line(fmt::format("{:%B %d, %Y - %H:%M:%S}", local));
    log::write_line("webstack stage1-devserver, chapter 1 of TUTORIAL.md");
    log::write_line("Starting development server at " + where);
    log::write_line("Quit the server with CONTROL-C.");
    log::write_line("");
    log::write_line(std::string("WARNING: This is a development server. Do not use it in a production setting. ") +
                    (threading ? "It starts a thread for every connection, without limit"
                               : "It serves one connection at a time (--nothreading)") +
                    ": TUTORIAL.md, chapter 3, shows what production uses instead.");
    log::write_line("Listening at: " + url);
}
// runserver's two modes. Threaded, a silent client holds only its own
// thread, and runserver lets it wait for ever. With --nothreading,
// runserver closes after every response ("persistent connections require
// threading server") but still waits for ever for a silent client, and
// with it the whole server; we give up on one after 5 s instead, so that
// the next client gets its turn.
stage1::DevServerOptions runserver_options(bool threading) {
    stage1::DevServerOptions options;
    options.limits = stage1::runserver_limits();
    options.status_for_error = stage1::status_for;
    options.threading = threading;
    options.keep_alive = threading;
    if (threading) options.idle_timeout = std::nullopt;
    return options;
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"A naive development server, like Django's manage.py runserver: one process,\n"
                 "a thread per connection (or one connection at a time). Not for production.",
                 "stage1-devserver"};
    cli::add_common_flags(app);
    std::string bind = "127.0.0.1:8000";
    bool no_threading = false;
    app.add_option("-b,--bind", bind, "Where to listen: HOST:PORT, [::1]:PORT or unix:PATH (port 0: any free port)")
        ->check(cli::bind_address_validator())
        ->capture_default_str();
    app.add_flag("--nothreading", no_threading,
                 "Serve one connection at a time, each response with Connection: close (runserver's flag)");
    if (auto exit_status = cli::parse(app, argc, argv)) return *exit_status;

    net::ignore_sigpipe();
    net::install_stop_signals();
    try {
        boost::asio::io_context io;
        net::Listener listener(io, net::parse_bind_address(bind).address);
        print_banner(listener.url(), !no_threading);
        stage1::DevServer server(listener, stage1::whole_responses(stage1::route_request),
                                 runserver_options(!no_threading));
        server.run();
    } catch (const net::ListenError& error) {
        log::write_line(fmt::format("Error: {}", error.what()));
        return 1;
    }
    return 0;
}
