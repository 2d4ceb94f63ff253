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
#include <fstream>

namespace py = pybind11;

namespace webstack::python {

namespace {
// The thread state the GIL is parked in while C++ runs (PyEval_SaveThread).
PyThreadState* parked = nullptr;

// "3.11" from a virtual environment's pyvenv.cfg ("version = 3.11.2"), or "".
std::string venv_python_version(const std::filesystem::path& home) {
    std::ifstream config(home / "pyvenv.cfg");
    for (std::string line; std::getline(config, line);) {
        if (!line.starts_with("version")) continue;
        const auto digits = line.find_first_of("0123456789");
        if (digits == std::string::npos) continue;
        const auto second_dot = line.find('.', line.find('.', digits) + 1);
        return line.substr(digits, second_dot == std::string::npos ? std::string::npos : second_dot - digits);
    }
    return {};
}

std::string interpreter_executable(const std::string& home) {
    // WEBSTACK_PYTHON_EXECUTABLE: the python3 this bridge was built against.
    if (home.empty()) return WEBSTACK_PYTHON_EXECUTABLE;
    const auto executable = std::filesystem::path(home) / "bin" / "python3";
    if (!std::filesystem::exists(executable))
        throw wsgi::LoadError(fmt::format("{} is not a virtual environment: it has no bin/python3 (make one with: "
                                          "{} -m venv --system-site-packages DIR)", home, WEBSTACK_PYTHON_EXECUTABLE));
    // Its packages were installed for its Python: another version's would not import here.
    const auto ours = fmt::format("{}.{}", PY_MAJOR_VERSION, PY_MINOR_VERSION);
    if (const auto its = venv_python_version(home); !its.empty() && its != ours)
        throw wsgi::LoadError(fmt::format("the virtual environment {} is for Python {}, this server embeds Python {}: "
                                          "make one with {} -m venv --system-site-packages DIR", home, its, ours,
                                          WEBSTACK_PYTHON_EXECUTABLE));
    return executable.string();
}

void check(PyStatus status, PyConfig& config) {
    if (!PyStatus_Exception(status)) return;
    PyConfig_Clear(&config);
    throw wsgi::LoadError(fmt::format("the Python interpreter did not start: {}",
                                      status.err_msg ? status.err_msg : "unknown error"));
}

// True when the import failed because MODULE itself (or its package) is
// nowhere on sys.path, not because the user's code imports something missing.
bool module_itself_missing(py::error_already_set& error, const std::string& module) {
    if (!error.matches(PyExc_ModuleNotFoundError)) return false;
    const auto missing = py::getattr(error.value(), "name", py::none());
    if (!py::isinstance<py::str>(missing)) return false;
    const auto name = missing.cast<std::string>();
    return module == name || module.starts_with(name + ".");
}

wsgi::Application import_application(const std::string& module, const std::string& callable, std::string& file) {
    py::object imported;
    try {
        imported = py::module_::import(module.c_str());
    } catch (py::error_already_set& error) {
        if (module_itself_missing(error, module)) {
            const auto sys_path = py::module_::import("sys").attr("path").cast<std::vector<std::string>>();
            throw ModuleNotFound(fmt::format("{}", fmt::join(sys_path, ", ")));
        }
        throw wsgi::LoadError(fmt::format("importing {} raised an exception:\n{}", module, traceback_text(error)));
    }
    // A folder without __init__.py imports as a "namespace package", whose __file__ is None.
    const auto where = py::getattr(imported, "__file__", py::none());
    file = py::isinstance<py::str>(where) ? where.cast<std::string>() : "(a package without __init__.py)";
    const auto application = py::getattr(imported, callable.c_str(), py::none());
    // Gunicorn's words for these two.
    if (application.is_none()) throw wsgi::LoadError(fmt::format("Failed to find attribute '{}' in '{}'.", callable, module));
    if (!PyCallable_Check(application.ptr())) throw wsgi::LoadError("Application object must be callable.");
    return wrap_application(application);
}
}  // namespace

bool available() { return true; }
std::string unavailable_reason() { return {}; }

void start_interpreter(const InterpreterOptions& options) {
    if (Py_IsInitialized()) return;
    PyConfig config;
    PyConfig_InitPythonConfig(&config);  // reads PYTHONPATH and friends, as python3 would
    config.install_signal_handlers = 0;   // the server owns SIGINT, SIGTERM, ...
    config.parse_argv = 0;
    // A worker ends with _exit() (or exec() for --reload): a print() left in
    // a buffer would be lost, so Python's stdout and stderr are unbuffered.
    config.buffered_stdio = 0;
    check(PyConfig_SetBytesString(&config, &config.executable, interpreter_executable(options.home).c_str()), config);
    const char* argv[] = {"webstack"};
    check(PyConfig_SetBytesArgv(&config, 1, const_cast<char* const*>(argv)), config);
    check(Py_InitializeFromConfig(&config), config);
    PyConfig_Clear(&config);
    try {
        auto sys_path = py::module_::import("sys").attr("path");
        for (auto folder = options.python_path.rbegin(); folder != options.python_path.rend(); ++folder)
            sys_path.attr("insert")(0, std::filesystem::absolute(*folder).lexically_normal().string());
        register_wsgi_types();
    } catch (py::error_already_set& error) {
        throw wsgi::LoadError(fmt::format("the Python interpreter did not start:\n{}", traceback_text(error)));
    }
    parked = PyEval_SaveThread();  // from here on, the GIL is taken only while Python runs
}

wsgi::Application load_application(const std::string& module, const std::string& callable, std::string& file) {
    py::gil_scoped_acquire gil;
    try {
        return import_application(module, callable, file);
    } catch (py::error_already_set& error) {  // Python failed where we did not expect it to
        throw wsgi::LoadError(fmt::format("loading {}:{} failed:\n{}", module, callable, traceback_text(error)));
    } catch (const py::cast_error& error) {
        throw wsgi::LoadError(fmt::format("loading {}:{} failed: {}", module, callable, error.what()));
    }
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

// Why fork() needs care: the child keeps only the thread that forked. Had
// another thread held the GIL or the import lock at that moment, the child
// would find them locked forever, by a thread that does not exist there.
// So the forking thread takes them first (PyOS_BeforeFork), and the child
// resets them and forgets the other threads (PyOS_AfterFork_Child), as
// os.fork() does inside Python.
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
