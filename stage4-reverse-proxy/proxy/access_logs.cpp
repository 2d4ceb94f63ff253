#include "proxy/access_logs.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <unistd.h>

namespace webstack::stage4 {

namespace {

// Every log file this process writes, by path: opened by the master,
// inherited by the workers. One thread per process: no lock.
std::map<std::string, int>& open_files() {
    static std::map<std::string, int> files;
    return files;
}

int open_log_file(const std::string& path) {
    if (path == "/dev/stdout") return STDOUT_FILENO;
    return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

void collect_paths(const std::vector<Location>& locations, std::vector<std::string>& paths) {
    for (const auto& location : locations) {
        for (const auto& log : location.settings.access_log) paths.push_back(log.path);
        collect_paths(location.locations, paths);
    }
}

// nginx's escape=default: ", \ and bytes outside printable ASCII as \xHH.
void append_escaped(std::string& line, std::string_view value, LogFormat::Escape escape) {
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (escape == LogFormat::Escape::None) {
            line += c;
        } else if (escape == LogFormat::Escape::Json) {
            if (c == '"' || c == '\\') line += '\\', line += c;
            else if (c == '\n') line += "\\n";
            else if (c == '\r') line += "\\r";
            else if (c == '\t') line += "\\t";
            else if (byte < 0x20) line += fmt::format("\\u{:04x}", byte);
            else line += c;
        } else if (c == '"' || c == '\\' || byte < 0x20 || byte > 0x7e) {
            line += fmt::format("\\x{:02X}", byte);
        } else {
            line += c;
        }
    }
}

std::string end_variable(std::string_view name, const RequestContext& context, const RequestEnd& end, bool& found) {
    found = true;
    if (name == "status") return fmt::format("{:03}", end.status);
    if (name == "body_bytes_sent") return std::to_string(end.body_bytes);
    if (name == "request_time") {
        const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(end.time).count();
        return fmt::format("{}.{:03}", millis / 1000, millis % 1000);
    }
    if (name == "remote_user") return "";
    found = false;
    auto value = variable_value(name, context);
    return value.value_or("");
}

}  // namespace

std::string format_log_line(const LogFormat& format, const RequestContext& context, const RequestEnd& end) {
    std::string line;
    const std::string_view text = format.text;
    for (std::size_t at = 0; at < text.size();) {
        const auto dollar = text.find('$', at);
        line.append(text.substr(at, dollar == std::string_view::npos ? std::string_view::npos : dollar - at));
        if (dollar == std::string_view::npos) break;
        std::size_t start = dollar + 1, stop = start;
        const bool braced = start < text.size() && text[start] == '{';
        if (braced) {
            stop = text.find('}', start);
            if (stop == std::string_view::npos) stop = text.size();
        } else {
            while (stop < text.size() && (std::isalnum(static_cast<unsigned char>(text[stop])) || text[stop] == '_')) ++stop;
        }
        const auto name = braced ? text.substr(start + 1, stop - start - 1) : text.substr(start, stop - start);
        at = braced ? stop + 1 : stop;
        if (name.empty()) {
            line += '$';
            continue;
        }
        bool found = false;
        const auto value = end_variable(name, context, end, found);
        // nginx writes "-" for a value it does not have.
        if (value.empty()) line += '-';
        else append_escaped(line, value, format.escape);
    }
    return line;
}

bool open_access_logs(const Config& config, std::string& problem) {
    std::vector<std::string> paths;
    for (const auto& server : config.servers) {
        for (const auto& log : server.settings.access_log) paths.push_back(log.path);
        collect_paths(server.locations, paths);
    }
    auto& files = open_files();
    for (const auto& path : paths) {
        if (files.contains(path)) continue;
        const int fd = open_log_file(path);
        if (fd < 0) {
            problem = fmt::format("open() \"{}\" failed ({}: {})", path, errno, std::strerror(errno));
            return false;
        }
        files[path] = fd;
    }
    return true;
}

void reopen_access_logs() {
    for (auto& [path, fd] : open_files()) {
        if (fd == STDOUT_FILENO) continue;
        const int fresh = open_log_file(path);
        if (fresh < 0) continue;  // keep writing to the old file
        ::dup2(fresh, fd);
        ::close(fresh);
    }
}

void write_access_logs(const std::vector<AccessLogTarget>& logs, const RequestContext& context, const RequestEnd& end) {
    for (const auto& log : logs) {
        if (!log.condition.empty()) {
            const auto value = expand_variables(log.condition, context);
            if (value.empty() || value == "0") continue;
        }
        const auto file = open_files().find(log.path);
        if (file == open_files().end()) continue;
        std::string line = format_log_line(*log.format, context, end);
        line += '\n';
        for (std::string_view rest = line; !rest.empty();) {
            const auto written = ::write(file->second, rest.data(), rest.size());
            if (written < 0 && errno == EINTR) continue;
            if (written <= 0) break;
            rest.remove_prefix(static_cast<std::size_t>(written));
        }
    }
}

}  // namespace webstack::stage4
