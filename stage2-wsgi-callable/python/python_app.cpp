// A Python WSGI callable wrapped as an Application of wsgi/contract.hpp.
//
// The C++ gateway (wsgi/gateway.cpp) still does the server's half of PEP
// 3333: headers held until the first non-empty chunk, hop-by-hop headers
// refused, a 500 for an exception, close() always. This file only
// translates between the two languages:
//   environ        C++ Environ          -> a Python dict of native strings
//   start_response Python's call        -> type checks, then the C++ StartResponse
//   the body       Python's iterable    -> a C++ Body whose next() asks it for bytes
//   exceptions     Python's             -> wsgi::ApplicationError with the traceback
//
// Two rules keep it safe. The GIL is held only while Python runs; and no
// Python object is copied or freed without it: the C++ side holds them in
// one place (PythonBody, PythonCallable) whose destructor takes the GIL.
//
// pybind11's words, for reading this file: a py::object owns one reference
// to a Python object (Python frees an object when its count of references
// drops to 0). A C API function returns either a new reference, which we
// must own (py::reinterpret_steal wraps it without counting it again), or
// a borrowed one, which we only look at (py::reinterpret_borrow counts a
// new one for us). release() hands a reference over without dropping it.
#include "python/python_app.hpp"

#include "python/wsgi_streams.hpp"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unordered_map>

namespace py = pybind11;

namespace webstack::python {

namespace {
// The app callable, freed with the GIL held.
struct PythonCallable {
    py::object callable;
    ~PythonCallable() {
        if (!Py_IsInitialized()) {  // the application outlived the interpreter (a static, at exit)
            callable.release();
            return;
        }
        py::gil_scoped_acquire gil;
        callable = py::object();
    }
};

// The iterable the app returned, and the iterator over it.
struct PythonBody {
    py::object iterable, iterator;
    std::shared_ptr<RequestStreams> streams;
    // A body lives for one request, never past the interpreter.
    ~PythonBody() {
        py::gil_scoped_acquire gil;
        iterator = py::object();
        iterable = py::object();
    }
};

// start_response(status, headers, exc_info) must raise the app's own
// exception again when the headers are already out (PEP 3333). The C++
// StartResponse does that by rethrowing the std::exception_ptr it is given;
// so the bridge gives it this marker, catches the marker when it comes
// back, and raises exc_info in Python (PyErr_Restore), where the app sees it.
struct ReraiseExcInfo {};

[[noreturn]] void throw_application_error(py::error_already_set& error) {
    auto text = traceback_text(error);
    if (text.ends_with('\n')) text.pop_back();
    throw wsgi::ApplicationError(text);
}

// PEP 3333's "native strings": str holding bytes, one character per byte.
// Latin-1 is the one encoding that maps each byte 0-255 to one character
// and back, so no byte is lost: "/caf\xc3\xa9" arrives as "/cafÃ©", and
// the app decodes it as UTF-8 if it wants to (Django does).
py::str bytes_to_native(const std::string& bytes) {
    return py::reinterpret_steal<py::str>(PyUnicode_DecodeLatin1(bytes.data(), static_cast<Py_ssize_t>(bytes.size()), nullptr));
}

// A native string back to bytes; a character above U+00FF is the app's
// error (UnicodeEncodeError), as in Gunicorn.
std::string native_to_bytes(const py::handle& text, const char* what) {
    if (!PyUnicode_Check(text.ptr()))
        throw py::type_error(fmt::format("{} must be a str, not {}", what, Py_TYPE(text.ptr())->tp_name));
    const auto bytes = py::reinterpret_steal<py::object>(PyUnicode_AsLatin1String(text.ptr()));
    if (!bytes) throw py::error_already_set();
    return std::string(PyBytes_AS_STRING(bytes.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(bytes.ptr())));
}

// environ's keys as Python strings, made once: the same few dozen names
// come with every request. A client can invent header names without end,
// so the cache stops growing at a few hundred. Only touched under the GIL;
// never freed, on purpose (the strings live as long as the interpreter),
// and a forked worker inherits it with the interpreter.
py::object environ_key(const std::string& key) {
    static std::unordered_map<std::string, PyObject*> made;  // strong references, kept for the process's life
    if (const auto found = made.find(key); found != made.end()) return py::reinterpret_borrow<py::object>(found->second);
    auto name = py::reinterpret_steal<py::object>(PyUnicode_InternFromString(key.c_str()));
    if (made.size() < 512) made.emplace(key, name.inc_ref().ptr());
    return name;
}

py::dict environ_dict(const wsgi::Environ& environ, const std::shared_ptr<RequestStreams>& streams) {
    py::dict dict;
    for (const auto& [key, value] : environ.vars) PyDict_SetItem(dict.ptr(), environ_key(key).ptr(), bytes_to_native(value).ptr());
    dict["wsgi.version"] = py::make_tuple(environ.wsgi_version.first, environ.wsgi_version.second);
    dict["wsgi.url_scheme"] = environ.wsgi_url_scheme;
    dict["wsgi.input"] = make_input_stream(streams);
    dict["wsgi.errors"] = make_error_stream(streams);
    dict["wsgi.multithread"] = environ.wsgi_multithread;
    dict["wsgi.multiprocess"] = environ.wsgi_multiprocess;
    dict["wsgi.run_once"] = environ.wsgi_run_once;
    dict["wsgi.input_terminated"] = environ.wsgi_input_terminated;
    dict["wsgi.file_wrapper"] = file_wrapper_type();
    return dict;
}

wsgi::Headers header_list(const py::handle& headers) {
    // PEP 3333: "a Python list", checked as wsgiref and Gunicorn check it.
    if (!PyList_Check(headers.ptr()))
        throw py::type_error(fmt::format("headers must be a list, not {}", Py_TYPE(headers.ptr())->tp_name));
    wsgi::Headers list;
    for (const auto& header : headers) {
        if (!PyTuple_Check(header.ptr()) || PyTuple_Size(header.ptr()) != 2)
            throw py::type_error(fmt::format("each header must be a (name, value) tuple, not {}", py::repr(header).cast<std::string>()));
        list.emplace_back(native_to_bytes(header[py::int_(0)], "a header name"), native_to_bytes(header[py::int_(1)], "a header value"));
    }
    return list;
}

// write(bytes), the callable start_response returns.
class WriteCallable {
public:
    WriteCallable(std::shared_ptr<RequestStreams> streams, wsgi::Write write)
        : streams_(std::move(streams)), write_(std::move(write)) {}
    void operator()(const py::bytes& data) const {
        if (!streams_->start_response) throw py::value_error("write() called after the response ended");
        std::string bytes = data;
        py::gil_scoped_release release;  // a socket write: let other threads run Python
        write_(bytes);
    }

private:
    std::shared_ptr<RequestStreams> streams_;
    wsgi::Write write_;
};

// start_response(status, headers, exc_info=None), checked as Gunicorn
// checks it, then handed to the C++ StartResponse.
class StartResponseCallable {
public:
    explicit StartResponseCallable(std::shared_ptr<RequestStreams> streams) : streams_(std::move(streams)) {}
    py::object operator()(const py::object& status, const py::object& headers, const py::object& exc_info) const {
        if (!streams_->start_response) throw py::value_error("start_response() called after the response ended");
        auto status_line = native_to_bytes(status, "status");
        auto list = header_list(headers);
        wsgi::Write write;
        try {
            write = (*streams_->start_response)(status_line, std::move(list),
                                                exc_info.is_none() ? nullptr : std::make_exception_ptr(ReraiseExcInfo{}));
        } catch (const wsgi::ContractError& error) {
            throw py::value_error(error.what());  // the app's mistake, raised where the app made it
        } catch (const ReraiseExcInfo&) {
            // Too late to change the status: raise the app's own exception again.
            const auto info = py::reinterpret_borrow<py::tuple>(exc_info);
            py::object type = info[0], value = info[1], traceback = info[2];
            PyErr_Restore(type.release().ptr(), value.release().ptr(), traceback.release().ptr());
            throw py::error_already_set();
        }
        return py::cast(WriteCallable(streams_, std::move(write)));
    }

private:
    std::shared_ptr<RequestStreams> streams_;
};

// wsgi.file_wrapper(file) over a real file on disk: the bytes the server
// may send with sendfile(), as Gunicorn does. From where the file object
// stands (tell(): it may have read ahead) to the end of the file.
std::optional<wsgi::Body::FileRange> file_range_of(const py::object& iterable) {
    const int is_wrapper = PyObject_IsInstance(iterable.ptr(), file_wrapper_type().ptr());
    if (is_wrapper != 1) {
        if (is_wrapper < 0) PyErr_Clear();
        return std::nullopt;
    }
    try {
        const auto filelike = iterable.attr("filelike");
        if (!py::hasattr(filelike, "fileno") || !py::hasattr(filelike, "tell")) return std::nullopt;
        const int fd = filelike.attr("fileno")().cast<int>();
        struct stat status {};
        if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) return std::nullopt;
        const auto offset = filelike.attr("tell")().cast<std::int64_t>();
        return wsgi::Body::FileRange{fd, offset, std::max<std::int64_t>(0, status.st_size - offset)};
    } catch (const std::exception&) {  // io.BytesIO and friends have no descriptor: iterate instead
        PyErr_Clear();
        return std::nullopt;
    }
}

wsgi::Body python_body(py::object iterable, std::shared_ptr<RequestStreams> streams) {
    auto body = std::make_shared<PythonBody>();
    body->streams = std::move(streams);
    try {
        body->iterator = py::reinterpret_steal<py::object>(PyObject_GetIter(iterable.ptr()));
        if (!body->iterator) throw py::error_already_set();
    } catch (py::error_already_set& error) {
        body->streams->end();
        throw_application_error(error);
    }
    body->iterable = std::move(iterable);
    auto next = [body]() -> std::optional<std::string> {
        py::gil_scoped_acquire gil;
        // PyIter_Next: a new reference to the next item; NULL at the end,
        // or NULL with an exception set when the iterator raised.
        auto item = py::reinterpret_steal<py::object>(PyIter_Next(body->iterator.ptr()));
        if (!item) {
            if (!PyErr_Occurred()) return std::nullopt;
            py::error_already_set error;
            throw_application_error(error);
        }
        if (!PyBytes_Check(item.ptr()))
            throw wsgi::ContractError(fmt::format("the body yielded a {}, not bytes (encode it: text.encode('utf-8'))",
                                                  py::str(py::type::of(item).attr("__name__")).cast<std::string>()));
        return item.cast<std::string>();
    };
    auto close = [body] {
        py::gil_scoped_acquire gil;
        body->streams->end();  // wsgi.input, wsgi.errors and start_response stop working
        // A list or a tuple (the usual `return [text]`) has no close().
        if (PyList_CheckExact(body->iterable.ptr()) || PyTuple_CheckExact(body->iterable.ptr())) return;
        if (!py::hasattr(body->iterable, "close")) return;
        try {
            body->iterable.attr("close")();
        } catch (py::error_already_set& error) {
            throw_application_error(error);
        }
    };
    auto file = file_range_of(body->iterable);
    auto result = wsgi::Body::generator(std::move(next), std::move(close));
    if (file) result.set_file(*file);
    return result;
}
}  // namespace

void register_call_types(py::module_& module) {
    py::class_<StartResponseCallable>(module, "StartResponse")
        .def("__call__", &StartResponseCallable::operator(), py::arg("status"), py::arg("headers"),
             py::arg("exc_info") = py::none());
    py::class_<WriteCallable>(module, "Write").def("__call__", &WriteCallable::operator());
}

std::string traceback_text(py::error_already_set& error) {
    // A SyntaxError raised while compiling a module has no traceback yet:
    // Python's format_exception wants None then, not a null object.
    const auto or_none = [](const py::object& object) -> py::object { return object ? object : py::none(); };
    const auto lines = py::module_::import("traceback").attr("format_exception")(
        or_none(error.type()), or_none(error.value()), or_none(error.trace()));
    return py::str("").attr("join")(lines).cast<std::string>();
}

wsgi::Application wrap_application(py::object callable) {
    auto app = std::make_shared<PythonCallable>();
    app->callable = std::move(callable);
    return [app](wsgi::Environ& environ, wsgi::StartResponse& start_response) -> wsgi::Body {
        auto streams = std::make_shared<RequestStreams>(environ.wsgi_input, environ.wsgi_errors, &start_response);
        py::gil_scoped_acquire gil;
        py::object result;
        try {
            result = app->callable(environ_dict(environ, streams), py::cast(StartResponseCallable(streams)));
        } catch (py::error_already_set& error) {
            streams->end();
            throw_application_error(error);
        } catch (...) {
            streams->end();
            throw;
        }
        return python_body(std::move(result), std::move(streams));
    };
}

}  // namespace webstack::python
