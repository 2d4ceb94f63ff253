// Finds an application by name, as `gunicorn hello_world:process_http_request`
// does. MODULE is a Python module (hello_world.py, a package such as
// lifecycle/, or one on Python's own path) or a C++ shared object
// (hello_world.so); CALLABLE is the name it defines (default:
// "application", like Gunicorn's default).
//
// The rule, in order (resolve_application):
//   1. MODULE with a "/" is a path to a C++ .so.
//   2. MODULE with a "." (lifecycle.wsgi) is always Python: a module in a package.
//   3. MODULE.py, or a package MODULE/ (a folder with an __init__.py), in
//      a Python folder (each --pythonpath, then the current folder, which
//      stage 3's --chdir may have changed: Gunicorn's order): Python.
//   4. MODULE.so in an app folder (--app-path, the current folder, this
//      build's apps/): C++.
//   5. Else Python, if this build has the bridge: the rest of Python's
//      sys.path (a virtual environment's or the system's site-packages).
// So the article's commands pick its hello_world.py even though this build
// also has a hello_world.so.
#pragma once

#include "wsgi/contract.hpp"

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace webstack::wsgi {

// Why an app could not be loaded, in one line saying what was looked for
// and where (or, for a Python app, the traceback). Servers exit with
// status 4, Gunicorn's "App failed to load".
class LoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class AppKind { Cpp, Python };

struct AppLocations {
    std::vector<std::string> python_path;  // each --pythonpath (the last first), then the current folder
    std::vector<std::string> so_path;      // each --app-path, the current folder, this build's apps/
    std::string python_home;               // a virtual environment: --home, else $VIRTUAL_ENV; "" for none
};

// The locations for these flags. The current folder is read now, so call
// this after --chdir has changed it.
AppLocations app_locations(const std::vector<std::string>& app_paths, const std::vector<std::string>& python_paths,
                           const std::string& python_home);

// What a spec names, by the rule above, without loading anything.
struct ResolvedApplication {
    AppKind kind;
    std::string module;    // "hello_world", "lifecycle.wsgi"
    std::string callable;  // "process_http_request", "application"
    std::string file;      // the .so or .py found; "" when Python's own path will be searched
};
ResolvedApplication resolve_application(const std::string& spec, const AppLocations& locations,
                                        bool python_available);

struct LoadedApplication {
    Application application;
    AppKind kind = AppKind::Cpp;
    std::string name;    // "hello_world:process_http_request"
    std::string path;    // the shared object or the .py file it came from
    // The files --reload watches: the .so, or every Python module loaded so
    // far (asked again each time: Django imports views on first use).
    std::function<std::vector<std::string>()> source_files;
};

// Resolves and loads; for Python, starts the interpreter first. Throws LoadError.
// A shared object is never unloaded, nor a Python module imported twice:
// new code needs a new process (see --reload).
LoadedApplication load_application(const std::string& spec, const AppLocations& locations);

// "Python app hello_world:process_http_request from /home/me/hello_world.py"
std::string describe(const LoadedApplication& app);

}  // namespace webstack::wsgi
