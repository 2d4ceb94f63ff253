// Command-line parsing for every stage, through CLI11 (the parsing is not
// the lesson). What it adds is the behaviour our stages share:
//   --help and --version print and exit 0;
//   a bad flag prints the usage line and the error, and exits 2, as Gunicorn
//   (argparse) does; CLI11 alone would exit with codes above 100.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace webstack::cli {

// Adds what every stage's command line has: --version, and wider help columns.
void add_common_flags(CLI::App& app);

// Parses argv. Returns nothing when the program should go on, or the exit
// status it should exit with (0 after --help or --version, else
// `error_exit_status`: 2 as argparse and Gunicorn, 1 as nginx).
std::optional<int> parse(CLI::App& app, int argc, char** argv, int error_exit_status = 2);

// A validator for --bind values ("HOST:PORT", "[::1]:PORT", "unix:PATH").
CLI::Validator bind_address_validator();

}  // namespace webstack::cli
