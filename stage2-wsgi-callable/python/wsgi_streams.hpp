// environ's Python objects: wsgi.input, wsgi.errors, wsgi.file_wrapper.
// Internal to python/.
#pragma once

#include "wsgi/contract.hpp"

#include <pybind11/pybind11.h>

#include <memory>

namespace webstack::python {

// What the Python objects of one request (wsgi.input, wsgi.errors,
// start_response and its write()) reach into on the C++ side. They
// live as long as Python keeps them (an app may keep environ), so end()
// cuts them off when the response is over: reads then give b"", writes go
// to the log, start_response raises.
struct RequestStreams {
    RequestStreams(wsgi::Input* input, wsgi::Errors* errors, wsgi::StartResponse* start_response)
        : input(input), errors(errors), start_response(start_response) {}
    void end() {
        input = nullptr;
        errors = nullptr;
        start_response = nullptr;
    }

    wsgi::Input* input;
    wsgi::Errors* errors;
    wsgi::StartResponse* start_response;
};

pybind11::object make_input_stream(std::shared_ptr<RequestStreams> streams);
pybind11::object make_error_stream(std::shared_ptr<RequestStreams> streams);
pybind11::object file_wrapper_type();

}  // namespace webstack::python
