// The adapter at the heart of the bridge: a Python WSGI callable seen
// through wsgi/contract.hpp. Internal to python/ (needs pybind11).
#pragma once

#include "wsgi/contract.hpp"

#include <pybind11/pybind11.h>

namespace webstack::python {

// Python's own report of an exception: "Traceback (most recent call
// last): ...". Call with the GIL held.
std::string traceback_text(pybind11::error_already_set& error);

// `callable(environ, start_response)` as an Application. Call with the GIL held.
wsgi::Application wrap_application(pybind11::object callable);

// Makes the Python types start_response and write() are made of.
void register_call_types(pybind11::module_& module);

// Makes the Python types wsgi.input, wsgi.errors and wsgi.file_wrapper are
// made of (module "webstack_wsgi"). Once, right after the interpreter starts.
void register_wsgi_types();

}  // namespace webstack::python
