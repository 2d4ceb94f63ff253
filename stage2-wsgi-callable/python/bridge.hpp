// The Python bridge: a Python WSGI callable (the article's hello_world.py,
// Django's wsgi.application, a Flask app) wrapped as an Application of
// wsgi/contract.hpp, so that any server of this project hosts it, the way
// mod_wsgi and uWSGI embed Python in a C or C++ server.
//
// One interpreter per process, started on first use. The C++ side runs
// without the GIL (Python's global interpreter lock) and takes it only
// while Python code runs: calling the app, asking the body for its next
// chunk, wsgi.input and wsgi.errors, close().
//
// A build without python3-dev gets python/no_bridge.cpp instead: the same
// functions, which say what to install.
#pragma once

#include "wsgi/app_loader.hpp"
#include "wsgi/contract.hpp"

#include <string>
#include <vector>

namespace webstack::python {

// False in a build without the bridge.
bool available();
// Why a Python app cannot run in this build, naming what to install; "" when it can.
std::string unavailable_reason();

struct InterpreterOptions {
    // Put in front of sys.path, in this order (wsgi::app_locations makes it
    // as Gunicorn does: each --pythonpath, the last first, then the current
    // folder, which --chdir may have changed).
    std::vector<std::string> python_path;
    // A virtual environment (--home, else $VIRTUAL_ENV): its site-packages
    // are searched, as if its bin/python3 were running. "" for the system's.
    std::string home;
};

// MODULE is nowhere on sys.path; what() lists sys.path.
class ModuleNotFound : public wsgi::LoadError {
public:
    using wsgi::LoadError::LoadError;
};

// Starts the interpreter once per process (later calls do nothing); throws
// wsgi::LoadError when it cannot start.
void start_interpreter(const InterpreterOptions& options);

// Imports MODULE and returns MODULE.CALLABLE as an Application. Throws
// ModuleNotFound when MODULE is not found at all, and wsgi::LoadError with
// the Python traceback when the user's
// code fails while being imported, or CALLABLE is not there.
// `file` receives the file the module came from.
wsgi::Application load_application(const std::string& module, const std::string& callable, std::string& file);

// The .py files of every module loaded so far (what --reload watches:
// Django imports views on the first request, so ask again now and then).
std::vector<std::string> module_files();

// The fork protocol of an embedded interpreter (what os.fork() does inside
// Python): the forking thread holds the GIL and the import lock across
// fork(), and the child resets them (interpreter.cpp says why). Do nothing when no
// interpreter was started (no --preload: each worker starts its own).
void before_fork();
void after_fork_in_parent();
void after_fork_in_child();

}  // namespace webstack::python
