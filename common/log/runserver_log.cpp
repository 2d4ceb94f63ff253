#include "log/runserver_log.hpp"

#include "log/log.hpp"

#include <fmt/chrono.h>

#include <ctime>

namespace webstack::log {

namespace {
std::string timestamp() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    return fmt::format("[{:%d/%b/%Y %H:%M:%S}]", local);
}
}  // namespace

std::string format_runserver_line(std::string_view request_line, int status, std::size_t size) {
    return fmt::format("{} \"{}\" {} {}", timestamp(), request_line, status, size);
}

std::string colour_for_status(std::string_view line, int status) {
    std::string_view code;
    if (status < 200) code = "1";              // HTTP_INFO: bold
    else if (status == 304) code = "36";       // HTTP_NOT_MODIFIED: cyan
    else if (status < 300) return std::string(line);  // HTTP_SUCCESS: plain
    else if (status < 400) code = "32";        // HTTP_REDIRECT: green
    else if (status == 404) code = "33";       // HTTP_NOT_FOUND: yellow
    else if (status < 500) code = "31;1";      // HTTP_BAD_REQUEST: bold red
    else code = "35;1";                        // HTTP_SERVER_ERROR: bold magenta
    return fmt::format("\x1b[{}m{}\x1b[0m", code, line);
}

void runserver_request(std::string_view request_line, int status, std::size_t size) {
    const auto line = format_runserver_line(request_line, status, size);
    write_line(stderr_is_terminal() ? colour_for_status(line, status) : line);
}

void runserver_message(std::string_view message) { write_line(timestamp() + " " + std::string(message)); }

}  // namespace webstack::log
