// The Python bridge's functions in a build without python3-dev: C++ apps
// still load; a Python one gets a line saying what to install.
#include "python/bridge.hpp"

#include "wsgi/app_loader.hpp"

namespace webstack::python {

bool available() { return false; }

std::string unavailable_reason() {
    return "this build has no Python bridge: install python3-dev and pybind11-dev (scripts/install-deps) and build again";
}

void start_interpreter(const InterpreterOptions&) { throw wsgi::LoadError(unavailable_reason()); }

wsgi::Application load_application(const std::string&, const std::string&, std::string&) {
    throw wsgi::LoadError(unavailable_reason());
}

std::vector<std::string> module_files() { return {}; }
void before_fork() {}
void after_fork_in_parent() {}
void after_fork_in_child() {}

}  // namespace webstack::python
