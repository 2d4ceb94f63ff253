// Logging to stderr with fmt. Two kinds of lines:
//   - the error log, with levels, in Gunicorn's shape:
//       [2026-11-23 21:00:00 +0000] [4242] [INFO] Listening at: http://127.0.0.1:8000
//   - request logs, one line per request, in the format of the server a
//     stage imitates (runserver's now; Gunicorn's atoms and nginx's
//     "combined" in later stages).
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <string>
#include <string_view>

namespace webstack::log {

enum class Level { Debug, Info, Warning, Error, Critical };

// Lines below this level are dropped. Default: Info.
void set_level(Level level);
Level level();
// "debug", "info", "warning", "error", "critical"; false for anything else.
bool parse_level(std::string_view text, Level& level);

// Writes one whole line to the error log (stderr unless set below) with a
// single write(), so lines from several processes do not interleave.
void write_line(std::string_view line);

// Log files, as Gunicorn's --error-logfile and --access-logfile: a path,
// or "-" for stderr (error log) / stdout (access log). Returns false when
// the file cannot be opened. SIGUSR1 reopens both (for log rotation).
bool set_error_log(const std::string& path);
bool set_access_log(const std::string& path);
void reopen_log_files();
bool access_log_enabled();
void write_access_line(std::string_view line);

void write(Level level, std::string_view message);

// The shape of error log lines: Gunicorn's (the default) or nginx's:
//   2026/11/24 10:41:13 [error] 4242#0: connect() failed ...
enum class Style { Gunicorn, Nginx };
void set_style(Style style);

// A line that is written whatever the level: startup and shutdown news
// (nginx's "notice" level, Gunicorn's INFO).
void notice(std::string_view message);

template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
    write(Level::Info, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> format, Args&&... args) {
    write(Level::Warning, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
    write(Level::Error, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
    if (level() <= Level::Debug) write(Level::Debug, fmt::format(format, std::forward<Args>(args)...));
}

// True when stderr is a terminal, so colour codes will be shown, not stored.
bool stderr_is_terminal();

}  // namespace webstack::log
