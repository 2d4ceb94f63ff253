#include "proxy/access_logs.hpp"

#include "log/log.hpp"
#include "proxy/gzip.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

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
        if (!location.settings.error_log.empty()) paths.push_back(location.settings.error_log);
        collect_paths(location.locations, paths);
    }
}

bool has_variables(const std::string& path) { return path.find('$') != std::string::npos; }

// The files of access_log paths with variables that open_log_file_cache
// keeps open, by path (one thread per process: no lock). A name counts its
// uses from the first; its file stays open from the min_uses-th; past `max`
// names the least recently used is forgotten (and its file closed).
struct CachedLogFile {
    int fd = -1;  // -1: not kept open (yet)
    int uses = 0;
    std::chrono::steady_clock::time_point last_use;
};

std::map<std::string, CachedLogFile>& log_file_cache() {
    static std::map<std::string, CachedLogFile> cache;
    return cache;
}

void forget(std::map<std::string, CachedLogFile>::iterator entry) {
    if (entry->second.fd >= 0) ::close(entry->second.fd);
    log_file_cache().erase(entry);
}

void write_line(int fd, std::string_view line) {
    for (std::string_view rest = line; !rest.empty();) {
        const auto written = ::write(fd, rest.data(), rest.size());
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) break;
        rest.remove_prefix(static_cast<std::size_t>(written));
    }
}

// A line for a path with variables ("logs/$host.log"): the path is made
// for this request; a "/" from a variable could reach another folder, so
// such a value is refused. The file is opened for the line and closed,
// unless open_log_file_cache keeps it.
void write_to_variable_path(const AccessLogTarget& log, const RequestContext& context, const LogFileCache& cache,
                            std::string_view line) {
    bool unsafe = false;
    for (const auto& name : variables_in(log.path)) {
        const auto value = variable_value(name, context).value_or("");
        unsafe = unsafe || value.find('/') != std::string::npos || value == "..";
    }
    const std::string path = expand_variables(log.path, context);
    if (unsafe) {
        log::error("access_log \"{}\": a variable's value has a \"/\" in \"{}\", no line written", log.path, path);
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    auto& entries = log_file_cache();
    auto entry = cache.max ? entries.find(path) : entries.end();
    if (entry != entries.end() && now - entry->second.last_use > cache.inactive) {
        forget(entry);
        entry = entries.end();
    }
    if (entry != entries.end() && entry->second.fd >= 0) {  // kept open: even if the file was moved since
        entry->second.last_use = now;
        ++entry->second.uses;
        return write_line(entry->second.fd, line);
    }
    const int fd = open_log_file(path);
    if (fd < 0) {  // a name that cannot be opened is not remembered
        log::error("open() \"{}\" failed ({}: {})", path, errno, std::strerror(errno));
        return;
    }
    write_line(fd, line);
    if (cache.max && entry == entries.end()) {
        if (entries.size() >= cache.max) {
            forget(std::min_element(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
                return a.second.last_use < b.second.last_use;
            }));
        }
        entry = entries.emplace(path, CachedLogFile{}).first;
    }
    if (entry == entries.end()) {
        ::close(fd);
        return;
    }
    entry->second.last_use = now;
    if (++entry->second.uses >= cache.min_uses) entry->second.fd = fd;  // kept from now on
    else ::close(fd);
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
            else if (byte < 0x20) line += fmt::format("\\u{:04X}", byte);
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
        // nginx writes "-" for a value it does not have (with escape=default);
        // $uri it always has, empty for a target it refused.
        if (value.empty()) {
            if (format.escape == LogFormat::Escape::Default && name != "uri") line += '-';
        }
        else append_escaped(line, value, format.escape);
    }
    return line;
}

bool open_access_logs(const Config& config, std::string& problem) {
    std::vector<std::string> paths;
    for (const auto& server : config.servers) {
        for (const auto& log : server.settings.access_log) paths.push_back(log.path);
        if (!server.settings.error_log.empty()) paths.push_back(server.settings.error_log);
        collect_paths(server.locations, paths);
    }
    bool sent_heads = false;  // does a format ask for $sent_http_NAME?
    for (const auto& [name, format] : config.log_formats)
        sent_heads = sent_heads || format->text.find("sent_http_") != std::string::npos;
    want_sent_heads(sent_heads);
    bool upstream_heads = false;  // and for $upstream_http_NAME?
    for (const auto& [name, format] : config.log_formats)
        upstream_heads = upstream_heads || format->text.find("upstream_http_") != std::string::npos;
    want_upstream_heads(upstream_heads);
    auto& files = open_files();
    for (const auto& path : paths) {
        if (files.contains(path) || has_variables(path)) continue;  // those are opened for each line
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

void log_request_error(const RequestContext& context, std::string_view message) {
    const auto file = context.settings && !context.settings->error_log.empty()
                          ? open_files().find(context.settings->error_log)
                          : open_files().end();
    if (file == open_files().end()) return log::write(log::Level::Error, message);
    const std::time_t now = std::time(nullptr);
    write_line(file->second, fmt::format("{:%Y/%m/%d %H:%M:%S} [error] {}#0: {}\n", fmt::localtime(now), ::getpid(), message));
}

void write_access_logs(const std::vector<AccessLogTarget>& logs, const RequestContext& context, const RequestEnd& end) {
    for (const auto& log : logs) {
        if (!log.condition.empty()) {
            const auto value = expand_variables(log.condition, context);
            if (value.empty() || value == "0") continue;
        }
        std::string line = format_log_line(*log.format, context, end);
        line += '\n';
        // `gzip`: each line a gzip member of its own (zcat reads them all as one text).
        if (log.gzip_level) line = gzip_compress(line, log.gzip_level);
        if (has_variables(log.path)) {
            write_to_variable_path(log, context, context.settings ? context.settings->open_log_file_cache : LogFileCache{},
                                   line);
            continue;
        }
        const auto file = open_files().find(log.path);
        if (file != open_files().end()) write_line(file->second, line);
    }
}

}  // namespace webstack::stage4
