#include "static/autoindex.hpp"

#include "http/message_rules.hpp"
#include "http/target.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
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

}  // namespace

std::string autoindex_page(int folder_fd, const std::string& uri) {
    const int fd = ::openat(folder_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // fdopendir takes it over
    if (fd < 0) return {};
    DIR* folder = ::fdopendir(fd);
    if (!folder) {
        ::close(fd);
        return {};
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

    const std::string title = "Index of " + http::escape_html(uri);
    std::string page = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<h1>" + title +
                       "</h1><hr><pre><a href=\"../\">../</a>\r\n";
    for (const auto& entry : entries) {
        const std::string shown = entry.name + (entry.folder ? "/" : "");
        std::string label = shown.size() > 50 ? shown.substr(0, 47) + "..>" : shown;
        const std::tm when = fmt::gmtime(entry.mtime);
        page += fmt::format("<a href=\"{}\">{}</a>{:{}}{:%d-%b-%Y %H:%M} {:>19}\r\n",
                            http::percent_encode(shown, "?#\"<>&'"), http::escape_html(label), "", 51 - label.size(), when,
                            entry.folder ? std::string("-") : std::to_string(entry.size));
    }
    page += "</pre><hr></body>\r\n</html>\r\n";
    return page;
}

}  // namespace webstack::stage5
