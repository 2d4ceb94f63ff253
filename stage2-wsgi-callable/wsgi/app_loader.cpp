#include "wsgi/app_loader.hpp"

#include "python/bridge.hpp"

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

// MODULE.py, or a package: a folder MODULE/ with an __init__.py (a folder
// without one, say stage3-prefork-server/workers/, is not taken for an app).
std::string python_file_in(const std::vector<std::string>& folders, const std::string& module) {
    for (const auto& folder : folders) {
        if (const auto file = fs::path(folder) / (module + ".py"); fs::is_regular_file(file)) return file.string();
        if (const auto package = fs::path(folder) / module; fs::is_regular_file(package / "__init__.py"))
            return package.string();
    }
    return {};
}

std::string so_file_in(const std::vector<std::string>& folders, const std::string& module) {
    for (const auto& folder : folders)
        if (const auto file = fs::path(folder) / (module + ".so"); fs::exists(file)) return file.string();
    return {};
}

LoadedApplication load_shared_object(const ResolvedApplication& resolved) {
    const auto& file = resolved.file;
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw LoadError(fmt::format("cannot load {}: {}", file, ::dlerror()));
    const auto symbol = WSGI_SYMBOL_PREFIX + resolved.callable;
    const auto* exported = static_cast<const ExportedApplication*>(::dlsym(handle, symbol.c_str()));
    if (!exported)
        throw LoadError(fmt::format("{} has no application named \"{}\" (export it with WSGI_APPLICATION({}))", file,
                                    resolved.callable, resolved.callable));
    if (exported->contract_version != contract_version)
        throw LoadError(fmt::format("{} was built against contract version {}, this server speaks version {}: "
                                    "rebuild the app", file, exported->contract_version, contract_version));
    const auto path = fs::absolute(file).string();
    return LoadedApplication{exported->application, AppKind::Cpp, resolved.module + ":" + resolved.callable, path,
                             [path] { return std::vector<std::string>{path}; }};
}

LoadedApplication load_python_module(const ResolvedApplication& resolved, const AppLocations& locations) {
    python::start_interpreter({locations.python_path, locations.python_home});
    std::string file;
    auto application = python::load_application(resolved.module, resolved.callable, file);
    return LoadedApplication{std::move(application), AppKind::Python, resolved.module + ":" + resolved.callable,
                             file, python::module_files};
}
}  // namespace

AppLocations app_locations(const std::vector<std::string>& app_paths, const std::vector<std::string>& python_paths,
                           const std::string& python_home) {
    AppLocations locations;
    const auto here = fs::current_path().string();
    // Gunicorn's order (measured on 20.1; app/base.py): it puts --chdir in
    // front of sys.path, then each --pythonpath in front of that, one by one.
    for (auto folder = python_paths.rbegin(); folder != python_paths.rend(); ++folder)
        locations.python_path.push_back(fs::absolute(*folder).string());
    locations.python_path.push_back(here);
    locations.so_path = app_paths;
    locations.so_path.push_back(here);
    if (auto bin = executable_directory(); !bin.empty())
        locations.so_path.push_back((fs::path(bin).parent_path() / "apps").string());
    locations.python_home = python_home;
    return locations;
}

ResolvedApplication resolve_application(const std::string& spec, const AppLocations& locations, bool python_available) {
    const auto colon = spec.find(':');
    ResolvedApplication resolved{AppKind::Cpp, spec.substr(0, colon),
                                 colon == std::string::npos ? "application" : spec.substr(colon + 1), ""};
    const auto& module = resolved.module;
    if (module.empty() || resolved.callable.empty())
        throw LoadError(fmt::format("\"{}\" is not MODULE:CALLABLE, e.g. hello_world:process_http_request", spec));

    if (module.find('/') == std::string::npos && (module.ends_with(".py") || module.ends_with(".so")))
        throw LoadError(fmt::format("\"{}\" is a file name, MODULE is a module's name: {}:{} (a C++ .so may also "
                                    "be named by its path: ./{}:{})", module, module.substr(0, module.size() - 3),
                                    resolved.callable, module, resolved.callable));
    if (module.find('/') != std::string::npos) {  // 1. a path to a .so
        resolved.file = module.ends_with(".so") ? module : module + ".so";
        if (!fs::exists(resolved.file)) throw LoadError(fmt::format("no such file: {}", resolved.file));
        return resolved;
    }
    resolved.kind = AppKind::Python;
    if (module.find('.') != std::string::npos) {  // 2. a module in a Python package
        resolved.file = python_file_in(locations.python_path, module.substr(0, module.find('.')));
        return resolved;
    }
    if (resolved.file = python_file_in(locations.python_path, module); !resolved.file.empty()) return resolved;  // 3.
    if (resolved.file = so_file_in(locations.so_path, module); !resolved.file.empty()) {  // 4.
        resolved.kind = AppKind::Cpp;
        return resolved;
    }
    if (python_available) return resolved;  // 5. Python's sys.path
    throw LoadError(fmt::format("no module named {}: looked for {}.py in {} and for {}.so in {}", module, module,
                                fmt::join(locations.python_path, ", "), module, fmt::join(locations.so_path, ", ")));
}

LoadedApplication load_application(const std::string& spec, const AppLocations& locations) {
    const auto resolved = resolve_application(spec, locations, python::available());
    if (resolved.kind == AppKind::Cpp) return load_shared_object(resolved);
    try {
        return load_python_module(resolved, locations);
    } catch (const python::ModuleNotFound& error) {
        const auto dot = resolved.module.find('.');
        if (!resolved.file.empty() && dot != std::string::npos) {
            throw LoadError(fmt::format("no module named {}: the package {} ({}) has no module {}", resolved.module,
                                        resolved.module.substr(0, dot), resolved.file, resolved.module.substr(dot + 1)));
        }
        // Found nowhere: say everywhere we looked.
        throw LoadError(fmt::format("no module named {}: looked for {}.py in {}, for {}.so in {}, and on Python's path: {}",
                                    resolved.module, resolved.module, fmt::join(locations.python_path, ", "),
                                    resolved.module, fmt::join(locations.so_path, ", "), error.what()));
    }
}

std::string describe(const LoadedApplication& app) {
    return fmt::format("{} app {} from {}", app.kind == AppKind::Python ? "Python" : "C++", app.name, app.path);
}

}  // namespace webstack::wsgi
