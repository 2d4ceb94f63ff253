#include "log/log.hpp"

#include <fmt/chrono.h>

#include <ctime>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace webstack::log {

namespace {
Level threshold = Level::Info;
Style line_style = Style::Gunicorn;

// A log destination: a file descriptor, and the path to reopen it from.
struct Destination {
    int fd;
    std::string path;  // "" for the standard stream itself
    bool enabled = true;
};
Destination error_log{STDERR_FILENO, ""};
Destination access_log{STDOUT_FILENO, "", false};

bool open_into(Destination& destination, const std::string& path, int standard_fd) {
    if (path == "-") {
        destination = {standard_fd, "", true};
        return true;
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    if (!destination.path.empty()) ::close(destination.fd);
    destination = {fd, path, true};
    return true;
}

void write_all_to(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto written = ::write(fd, bytes.data(), bytes.size());
        if (written <= 0) return;
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
}

std::string_view name_of(Level level) {
    switch (level) {
        case Level::Debug: return "DEBUG";
        case Level::Info: return "INFO";
        case Level::Warning: return "WARNING";
        case Level::Error: return "ERROR";
        case Level::Critical: return "CRITICAL";
    }
    return "INFO";
}
}  // namespace

void set_level(Level level) { threshold = level; }
Level level() { return threshold; }

bool parse_level(std::string_view text, Level& level) {
    for (auto candidate : {Level::Debug, Level::Info, Level::Warning, Level::Error, Level::Critical}) {
        std::string lower(name_of(candidate));
        for (auto& c : lower) c = static_cast<char>(c - 'A' + 'a');
        if (text == lower) {
            level = candidate;
            return true;
        }
    }
    return false;
}

void write_line(std::string_view line) {
    std::string out(line);
    out += '\n';
    write_all_to(error_log.fd, out);
}

bool set_error_log(const std::string& path) { return open_into(error_log, path, STDERR_FILENO); }
bool set_access_log(const std::string& path) { return open_into(access_log, path, STDOUT_FILENO); }
bool access_log_enabled() { return access_log.enabled; }

void reopen_log_files() {
    for (Destination* destination : {&error_log, &access_log}) {
        if (!destination->path.empty()) open_into(*destination, destination->path, destination->fd);
    }
}

void write_access_line(std::string_view line) {
    if (!access_log.enabled) return;
    std::string out(line);
    out += '\n';
    write_all_to(access_log.fd, out);
}

void set_style(Style style) { line_style = style; }

namespace {
// nginx's names for the levels: warn and crit, in lower case.
std::string_view nginx_name_of(Level level) {
    switch (level) {
        case Level::Debug: return "debug";
        case Level::Info: return "info";
        case Level::Warning: return "warn";
        case Level::Error: return "error";
        case Level::Critical: return "crit";
    }
    return "error";
}

void write_styled(std::string_view level_name_gunicorn, std::string_view level_name_nginx, std::string_view message) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    if (line_style == Style::Nginx) {
        // 2026/11/24 10:41:13 [error] 1234#0: message
        write_line(fmt::format("{:%Y/%m/%d %H:%M:%S} [{}] {}#0: {}", local, level_name_nginx, ::getpid(), message));
    } else {
        write_line(fmt::format("[{:%Y-%m-%d %H:%M:%S %z}] [{}] [{}] {}", local, ::getpid(), level_name_gunicorn, message));
    }
}
}  // namespace

void write(Level level, std::string_view message) {
    if (level < threshold) return;
    write_styled(name_of(level), nginx_name_of(level), message);
}

void notice(std::string_view message) { write_styled("INFO", "notice", message); }

bool stderr_is_terminal() { return ::isatty(error_log.fd) == 1; }

}  // namespace webstack::log
