#include "cli/command_line.hpp"

#include "net/bind_address.hpp"

#include <iostream>

#ifndef WEBSTACK_VERSION
#define WEBSTACK_VERSION "unknown"
#endif

namespace webstack::cli {

void add_common_flags(CLI::App& app) {
    app.set_version_flag("--version", app.get_name() + " (webstack " WEBSTACK_VERSION ")");
    app.get_formatter()->column_width(34);
}

std::optional<int> parse(CLI::App& app, int argc, char** argv, int error_exit_status) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::CallForVersion&) {
        std::cout << app.version() << '\n';
        return 0;
    } catch (const CLI::ParseError& error) {
        // As argparse (and so Gunicorn) does: the usage line, then the error.
        std::cerr << CLI::Formatter().make_usage(&app, app.get_name()) << "Run with --help for all options.\n"
                  << app.get_name() << ": error: " << error.what() << '\n';
        return error_exit_status;
    }
}

CLI::Validator bind_address_validator() {
    return CLI::Validator(
        [](std::string& text) {
            auto result = net::parse_bind_address(text);
            return result.error.empty() ? std::string() : "bad address \"" + text + "\": " + result.error;
        },
        "HOST:PORT|unix:PATH");
}

}  // namespace webstack::cli
