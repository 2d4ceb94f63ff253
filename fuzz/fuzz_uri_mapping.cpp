// libFuzzer target: from a request target to an opened file, with `root`
// or `alias`, through the same two steps as a request: map_uri (which file)
// and open_beneath (safe_open.hpp: open it from inside its folder).
// Property: whatever opens is inside the folder the config names. The
// folders are real, under /tmp, with a secret beside them and a sibling
// folder that the off-by-slash alias would reach.
#include "http/target.hpp"
#include "static/safe_open.hpp"
#include "static/uri_mapping.hpp"

#include <climits>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace webstack;
namespace fs = std::filesystem;

namespace {
// <tmp>/site/{index.html,sub/a.css}, <tmp>/files/x.txt, <tmp>/files_backup/db.sql, <tmp>/secret.txt
fs::path make_tree() {
    const auto top = fs::temp_directory_path() / ("webstack-fuzz-uri-" + std::to_string(::getpid()));
    for (const auto* folder : {"site/sub", "files", "files_backup"}) fs::create_directories(top / folder);
    for (const auto* file : {"site/index.html", "site/sub/a.css", "files/x.txt", "files_backup/db.sql", "secret.txt"})
        std::ofstream(top / file) << file;
    return top;
}

std::string opened_path(int fd) {
    char buffer[PATH_MAX];
    const auto length = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buffer, sizeof buffer);
    return length > 0 ? std::string(buffer, static_cast<std::size_t>(length)) : std::string();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fs::path top = make_tree();
    if (size < 2) return 0;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    // "PREFIX\nTARGET": the location's prefix, then the request target.
    const auto newline = text.find('\n');
    if (newline == std::string::npos) return 0;
    stage4::Location location;
    location.prefix = text.substr(0, newline);
    location.exact = data[0] & 1;
    if (!location.prefix.starts_with('/')) return 0;
    const auto target = http::parse_target(text.substr(newline + 1));
    if (!target.target) return 0;
    // map_uri is asked only for the location routing chose: one whose prefix the path starts with.
    const auto& path = target.target->path;
    if (location.exact ? path != location.prefix : !path.starts_with(location.prefix)) return 0;

    stage5::StaticSettings settings;
    std::string folder;
    if (data[0] & 2) {
        folder = (top / "files").string();
        settings.alias = (data[0] & 4) ? folder + "/" : folder;
    } else {
        folder = (top / "site").string();
        settings.root = folder;
    }
    const auto file = stage5::map_uri(settings, &location, path);
    if (file.refused) return 0;
    const auto opened = stage5::open_beneath(file.base, file.relative, stage5::Symlinks::Never, stage5::Access::Look);
    if (!opened.ok()) return 0;
    const auto where = opened_path(opened.fd.get());
    if (where != folder && !where.starts_with(folder + "/")) __builtin_trap();  // a file outside the folder opened
    return 0;
}
