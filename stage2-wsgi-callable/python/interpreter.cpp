// The embedded interpreter's life in a server process: start it (with a
// virtual environment and the app's folders on sys.path), import the app,
// list the files --reload watches, and cross fork() safely.
#include "python/bridge.hpp"

#include "python/python_app.hpp"
#include "wsgi/app_loader.hpp"

#include <fmt/format.h>
#include <pybind11/embed.h>
#include <pybind11/stl.h>

#include <filesystem>

namespace py = pybind11;

namespace webstack::python {

namespace {
// The thread state the GIL is parked in while C++ runs (PyEval_SaveThread).
PyThreadState* parked = nullptr;

std::string interpreter_executable(const std::string& home) {
    // WEBSTACK_PYTHON_EXECUTABLE: the python3 this bridge was built against.
    if (home.empty()) return WEBSTACK_PYTHON_EXECUTABLE;
    for (const char* name : {"bin/python3", "bin/python"}) {
        const auto candidate = std::filesystem::path(home) / name;
        if (std::filesystem::exists(candidate)) return candidate.string();
    }
    throw wsgi::LoadError(fmt::format("{} is not a virtual environment: it has no bin/python3 "
                                      "(make one with: python3 -m venv --system-site-packages DIR)", home));
}

void check(PyStatus status, PyConfig& config) {
    if (!PyStatus_Exception(status)) return;
    PyConfig_Clear(&config);
    throw wsgi::LoadError(fmt::format("the Python interpreter did not start: {}",
                                      status.err_msg ? status.err_msg : "unknown error"));
}

// Python's own words for the exception being handled, with its traceback.
std::string traceback_of(py::error_already_set& error) {
    const auto lines = py::module_::import("traceback").attr("format_exception")(error.type(), error.value(), error.trace());
    return py::str("").attr("join")(lines).cast<std::string>();
}

// True when the import failed because MODULE itself (or its package) is
// nowhere on sys.path, not because the user's code imports something missing.
bool module_itself_missing(py::error_already_set& error, const std::string& module) {
    if (!error.matches(PyExc_ModuleNotFoundError)) return false;
    const auto missing = py::getattr(error.value(), "name", py::none());
    if (missing.is_none()) return false;
    const auto name = missing.cast<std::string>();
    return module == name || module.starts_with(name + ".");
}
}  // namespace

bool available() { return true; }

void start_interpreter(const InterpreterOptions& options) {
    if (Py_IsInitialized()) return;
    PyConfig config;
    PyConfig_InitPythonConfig(&config);  // reads PYTHONPATH and friends, as python3 would
    config.install_signal_handlers = 0;   // the server owns SIGINT, SIGTERM, ...
    config.parse_argv = 0;
    check(PyConfig_SetBytesString(&config, &config.executable, interpreter_executable(options.home).c_str()), config);
    const char* argv[] = {"webstack"};
    check(PyConfig_SetBytesArgv(&config, 1, const_cast<char* const*>(argv)), config);
    check(Py_InitializeFromConfig(&config), config);
    PyConfig_Clear(&config);

    auto sys_path = py::module_::import("sys").attr("path");
    for (auto folder = options.python_path.rbegin(); folder != options.python_path.rend(); ++folder) {
        const auto absolute = std::filesystem::absolute(*folder).lexically_normal().string();
        sys_path.attr("insert")(0, absolute);
    }
    register_wsgi_types();
    parked = PyEval_SaveThread();  // from here on, the GIL is taken only while Python runs
}

wsgi::Application load_application(const std::string& module, const std::string& callable, std::string& file) {
    py::gil_scoped_acquire gil;
    py::object imported;
    try {
        imported = py::module_::import(module.c_str());
    } catch (py::error_already_set& error) {
        if (module_itself_missing(error, module)) {
            const auto sys_path = py::module_::import("sys").attr("path").cast<std::vector<std::string>>();
            throw ModuleNotFound(fmt::format("{}", fmt::join(sys_path, ", ")));
        }
        throw wsgi::LoadError(fmt::format("importing {} raised an exception:\n{}", module, traceback_of(error)));
    }
    file = py::getattr(imported, "__file__", py::str("(built in)")).cast<std::string>();
    const auto application = py::getattr(imported, callable.c_str(), py::none());
    // Gunicorn's words for these two.
    if (application.is_none()) throw wsgi::LoadError(fmt::format("Failed to find attribute '{}' in '{}'.", callable, module));
    if (!PyCallable_Check(application.ptr())) throw wsgi::LoadError("Application object must be callable.");
    return wrap_application(application);
}

std::vector<std::string> module_files() {
    if (!Py_IsInitialized()) return {};
    py::gil_scoped_acquire gil;
    std::vector<std::string> files;
    const auto modules = py::module_::import("sys").attr("modules").attr("copy")();
    for (const auto& entry : modules.cast<py::dict>()) {
        const auto file = py::getattr(entry.second, "__file__", py::none());
        if (py::isinstance<py::str>(file)) files.push_back(file.cast<std::string>());
    }
    return files;
}

void before_fork() {
    if (!parked) return;
    PyEval_RestoreThread(parked);
    PyOS_BeforeFork();
}

void after_fork_in_parent() {
    if (!parked) return;
    PyOS_AfterFork_Parent();
    parked = PyEval_SaveThread();
}

void after_fork_in_child() {
    if (!parked) return;
    PyOS_AfterFork_Child();
    parked = PyEval_SaveThread();
}

}  // namespace webstack::python
