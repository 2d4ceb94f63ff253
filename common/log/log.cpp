#include "log/log.hpp"

#include <fmt/chrono.h>

#include <ctime>
#include <unistd.h>

namespace webstack::log {

namespace {
Level threshold = Level::Info;

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
    std::string_view rest = out;
    while (!rest.empty()) {
        const auto written = ::write(STDERR_FILENO, rest.data(), rest.size());
        if (written <= 0) return;
        rest.remove_prefix(static_cast<std::size_t>(written));
    }
}

void write(Level level, std::string_view message) {
    if (level < threshold) return;
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    write_line(fmt::format("[{:%Y-%m-%d %H:%M:%S %z}] [{}] [{}] {}", local, ::getpid(), name_of(level), message));
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace webstack::log
