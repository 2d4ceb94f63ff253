// Finds an application by name, as `gunicorn hello_world:process_http_request`
// does: MODULE is a shared object (hello_world.so) on the app path, CALLABLE
// the name it exported with WSGI_APPLICATION (default: "application", like
// Gunicorn's default).
#pragma once

#include "wsgi/contract.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace webstack::wsgi {

// Why an app could not be loaded, in one line saying what was looked for
// and where. Servers exit with status 4, Gunicorn's "App failed to load".
class LoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct LoadedApplication {
    Application application;
    std::string name;    // "hello_world:process_http_request"
    std::string path;    // the shared object it came from
};

// Where MODULE.so is looked for: the given directories, then the current
// directory, then the `apps` folder beside the folder of this executable
// (build/dev/bin/../apps), found from the executable, not the current directory.
std::vector<std::string> app_search_path(const std::vector<std::string>& app_paths);

// Loads MODULE:CALLABLE with dlopen(RTLD_NOW | RTLD_LOCAL); throws LoadError.
// A shared object is never unloaded: loading it again in the same process
// returns the same copy, so new code needs a new process (see --reload).
LoadedApplication load_application(const std::string& spec, const std::vector<std::string>& search_path);

}  // namespace webstack::wsgi
