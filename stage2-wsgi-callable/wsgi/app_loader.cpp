#include "wsgi/app_loader.hpp"

#include <fmt/format.h>

#include <dlfcn.h>
#include <filesystem>
#include <unistd.h>

namespace webstack::wsgi {

namespace fs = std::filesystem;

namespace {
std::string executable_directory() {
    std::error_code error;
    const auto self = fs::read_symlink("/proc/self/exe", error);
    return error ? std::string() : self.parent_path().string();
}
}  // namespace

std::vector<std::string> app_search_path(const std::vector<std::string>& app_paths) {
    std::vector<std::string> path = app_paths;
    path.push_back(fs::current_path().string());
    if (auto bin = executable_directory(); !bin.empty()) path.push_back((fs::path(bin).parent_path() / "apps").string());
    return path;
}

LoadedApplication load_application(const std::string& spec, const std::vector<std::string>& search_path) {
    const auto colon = spec.find(':');
    const std::string module = spec.substr(0, colon);
    const std::string callable = colon == std::string::npos ? "application" : spec.substr(colon + 1);
    if (module.empty() || callable.empty())
        throw LoadError(fmt::format("\"{}\" is not MODULE:CALLABLE, e.g. hello_world:process_http_request", spec));

    // MODULE is a name looked up on the path, or a path to a .so.
    std::string file;
    if (module.find('/') != std::string::npos) {
        file = module.ends_with(".so") ? module : module + ".so";
        if (!fs::exists(file)) throw LoadError(fmt::format("no such file: {}", file));
    } else {
        for (const auto& directory : search_path) {
            const auto candidate = fs::path(directory) / (module + ".so");
            if (fs::exists(candidate)) {
                file = candidate.string();
                break;
            }
        }
        if (file.empty())
            throw LoadError(fmt::format("no module named {}: looked for {}.so in {} (add a folder with --app-path)",
                                        module, module, fmt::join(search_path, ", ")));
    }

    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw LoadError(fmt::format("cannot load {}: {}", file, ::dlerror()));
    const auto symbol = WSGI_SYMBOL_PREFIX + callable;
    const auto* exported = static_cast<const ExportedApplication*>(::dlsym(handle, symbol.c_str()));
    if (!exported)
        throw LoadError(fmt::format("{} has no application named \"{}\" (export it with WSGI_APPLICATION({}))", file,
                                    callable, callable));
    if (exported->contract_version != contract_version)
        throw LoadError(fmt::format("{} was built against contract version {}, this server speaks version {}: "
                                    "rebuild the app", file, exported->contract_version, contract_version));
    return LoadedApplication{exported->application, module + ":" + callable, fs::absolute(file).string()};
}

}  // namespace webstack::wsgi
