#include "proxy/process_setup.hpp"

#include "log/log.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <grp.h>
#include <pwd.h>
#include <set>
#include <unistd.h>

namespace webstack::stage4 {

namespace {
void collect_temp_folders(const std::vector<Location>& locations, std::set<std::string>& folders) {
    for (const auto& location : locations) {
        folders.insert(location.settings.client_body_temp_path);
        folders.insert(location.settings.proxy_temp_path);
        collect_temp_folders(location.locations, folders);
    }
}
}  // namespace

void create_temp_folders(const Config& config) {
    std::set<std::string> folders;
    for (const auto& server : config.servers) {
        folders.insert(server.settings.client_body_temp_path);
        folders.insert(server.settings.proxy_temp_path);
        collect_temp_folders(server.locations, folders);
    }
    for (const auto& folder : folders) {
        std::error_code error;
        if (!folder.empty()) std::filesystem::create_directories(folder, error);
        if (error) throw ConfigError("mkdir() \"" + folder + "\" failed (" + error.message() + ")");
    }
}

bool become_daemon(bool keep_stderr) {
    const pid_t child = ::fork();
    if (child < 0) return false;
    if (child > 0) ::_exit(0);  // the parent: the shell gets its prompt back
    ::setsid();                  // no controlling terminal any more
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        ::dup2(null, STDIN_FILENO);
        ::dup2(null, STDOUT_FILENO);
        if (!keep_stderr) ::dup2(null, STDERR_FILENO);  // the error log is a file: nothing is left for the terminal
        if (null > STDERR_FILENO) ::close(null);
    }
    return true;
}

bool switch_user(const Config& config) {
    if (!config.user || ::geteuid() != 0) return true;
    const passwd* user = ::getpwnam(config.user->c_str());
    const group* group = ::getgrnam(config.group->c_str());
    if (!user || !group) {
        log::write(log::Level::Critical, fmt::format("getpwnam(\"{}\") or getgrnam(\"{}\") failed", *config.user,
                                                     *config.group));
        return false;
    }
    if (::setgid(group->gr_gid) != 0 || ::initgroups(user->pw_name, group->gr_gid) != 0 ||
        ::setuid(user->pw_uid) != 0) {
        log::write(log::Level::Critical, fmt::format("setuid({}) failed ({})", user->pw_uid, std::strerror(errno)));
        return false;
    }
    return true;
}

}  // namespace webstack::stage4
