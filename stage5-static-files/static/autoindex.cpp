#include "static/autoindex.hpp"

#include "http/message_rules.hpp"
#include "http/target.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace webstack::stage5 {

namespace {

struct Entry {
    std::string name;
    bool folder = false;
    std::time_t mtime = 0;
    long long size = 0;
};

std::optional<std::vector<Entry>> read_folder(int folder_fd) {
    const int fd = ::openat(folder_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // fdopendir takes it over
    if (fd < 0) return std::nullopt;
    DIR* folder = ::fdopendir(fd);
    if (!folder) {
        ::close(fd);
        return std::nullopt;
    }
    std::vector<Entry> entries;
    while (const dirent* item = ::readdir(folder)) {
        const std::string name = item->d_name;
        if (name.starts_with('.')) continue;  // ".", "..", hidden files
        struct stat info {};
        if (::fstatat(::dirfd(folder), name.c_str(), &info, 0) != 0) continue;  // a dangling link, say
        entries.push_back({name, S_ISDIR(info.st_mode), info.st_mtime, static_cast<long long>(info.st_size)});
    }
    ::closedir(folder);
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        if (a.folder != b.folder) return a.folder;
        return a.name < b.name;
    });
    return entries;
}

// nginx's ngx_escape_html: < > & and " (not ').
std::string escape_markup(std::string_view text) { return http::escape_html(text, false); }

std::string escape_json(std::string_view text) {
    std::string out;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') out += {'\\', c};
        else if (byte < 0x20) out += fmt::format("\\u{:04x}", byte);
        else out += c;
    }
    return out;
}

// The first `count` characters of `text`: bytes, or UTF-8 characters.
std::size_t prefix_bytes(std::string_view text, std::size_t count, bool utf8) {
    if (!utf8) return std::min(count, text.size());
    std::size_t at = 0;
    for (std::size_t seen = 0; at < text.size() && seen < count; ++seen) {
        ++at;
        while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;  // continuation bytes
    }
    return at;
}

std::size_t length_of(std::string_view text, bool utf8) {
    if (!utf8) return text.size();
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// nginx's column of sizes: exact ("%19O"), or rounded to K, M, G in 7 columns.
std::string size_column(const Entry& entry, bool exact) {
    if (exact) return fmt::format("{:>19}", entry.folder ? std::string("-") : std::to_string(entry.size));
    if (entry.folder) return "      -";
    constexpr long long K = 1024, M = K * 1024, G = M * 1024;
    const auto rounded = [&](long long unit, char scale) {
        const long long whole = entry.size / unit + (entry.size % unit > unit / 2 - 1 ? 1 : 0);
        return fmt::format("{:>6}{}", whole, scale);
    };
    if (entry.size > G - 1) return rounded(G, 'G');
    if (entry.size > M - 1) return rounded(M, 'M');
    if (entry.size > 9999) return rounded(K, 'K');
    return fmt::format(" {:>6}", entry.size);
}

std::string html(const std::vector<Entry>& entries, const std::string& uri, const AutoindexOptions& options) {
    const std::string title = "Index of " + escape_markup(uri);
    std::string page = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<h1>" + title +
                       "</h1><hr><pre><a href=\"../\">../</a>\r\n";
    for (const auto& entry : entries) {
        const std::string shown = entry.name + (entry.folder ? "/" : "");
        // "a:b" would read as a scheme: nginx writes "./a:b".
        const std::string href = (shown.find(':') != std::string::npos ? "./" : "") +
                                 http::percent_encode(shown, "?#\"<>&'");
        const bool cut = length_of(shown, options.utf8) > 50;
        const std::string label = cut ? shown.substr(0, prefix_bytes(shown, 47, options.utf8)) + "..>" : shown;
        const std::tm when = options.localtime ? fmt::localtime(entry.mtime) : fmt::gmtime(entry.mtime);
        page += fmt::format("<a href=\"{}\">{}</a>{:{}}{:%d-%b-%Y %H:%M} {}\r\n", href, escape_markup(label), "",
                            51 - length_of(label, options.utf8), when, size_column(entry, options.exact_size));
    }
    page += "</pre><hr></body>\r\n</html>\r\n";
    return page;
}

std::string xml(const std::vector<Entry>& entries) {
    std::string page = "<?xml version=\"1.0\"?>\r\n<list>\r\n";
    for (const auto& entry : entries) {
        const std::tm when = fmt::gmtime(entry.mtime);
        page += fmt::format("<{} mtime=\"{:%Y-%m-%dT%H:%M:%SZ}\"", entry.folder ? "directory" : "file", when);
        if (!entry.folder) page += fmt::format(" size=\"{}\"", entry.size);
        page += fmt::format(">{}</{}>\r\n", escape_markup(entry.name), entry.folder ? "directory" : "file");
    }
    page += "</list>\r\n";
    return page;
}

std::string json(const std::vector<Entry>& entries) {
    std::string page = "[\r\n";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& entry = entries[i];
        const std::tm when = fmt::gmtime(entry.mtime);
        page += fmt::format("{{ \"name\":\"{}\", \"type\":\"{}\", \"mtime\":\"{:%a, %d %b %Y %H:%M:%S} GMT\"",
                            escape_json(entry.name), entry.folder ? "directory" : "file", when);
        if (!entry.folder) page += fmt::format(", \"size\":{}", entry.size);
        page += i + 1 < entries.size() ? " },\r\n" : " }\r\n";
    }
    page += "]\r\n";
    return page;
}

}  // namespace

bool is_valid_callback(const std::string& callback) {
    return std::all_of(callback.begin(), callback.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
    });
}

std::optional<Listing> autoindex_page(int folder_fd, const std::string& uri, const AutoindexOptions& options) {
    const auto entries = read_folder(folder_fd);
    if (!entries) return std::nullopt;
    switch (options.format) {
        case AutoindexFormat::Html: return Listing{html(*entries, uri, options), "text/html"};
        case AutoindexFormat::Xml: return Listing{xml(*entries), "text/xml; charset=utf-8"};
        case AutoindexFormat::Json: return Listing{json(*entries), "application/json"};
        case AutoindexFormat::Jsonp:
            if (options.callback.empty()) return Listing{json(*entries), "application/json"};
            return Listing{options.callback + "(" + json(*entries) + ");\r\n", "application/javascript"};
    }
    return std::nullopt;
}

}  // namespace webstack::stage5
