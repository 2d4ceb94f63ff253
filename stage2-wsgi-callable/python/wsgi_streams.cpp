// wsgi.input, wsgi.errors and wsgi.file_wrapper as Python objects
// (PEP 3333, "Input and Error Streams" and "Optional Platform-Specific
// File Handling").
#include "python/wsgi_streams.hpp"

#include "log/log.hpp"
#include "python/python_app.hpp"

#include <pybind11/eval.h>
#include <pybind11/stl.h>

namespace py = pybind11;

namespace webstack::python {

namespace {
// wsgi.input: the body the server already read, de-chunked; reading past
// its end gives b"" (wsgi.input_terminated).
class InputStream {
public:
    explicit InputStream(std::shared_ptr<RequestStreams> streams) : streams_(std::move(streams)) {}

    py::bytes read(const py::object& size) {
        return streams_->input ? py::bytes(streams_->input->read(to_long(size))) : py::bytes();
    }
    py::bytes readline(const py::object& size) {
        return streams_->input ? py::bytes(streams_->input->readline(to_long(size))) : py::bytes();
    }
    py::list readlines(const py::object& hint) {
        // As io.IOBase: stop once the lines read reach `hint` bytes.
        const long limit = to_long(hint);
        py::list lines;
        long total = 0;
        while (streams_->input) {
            auto line = streams_->input->readline();
            if (line.empty()) break;
            total += static_cast<long>(line.size());
            lines.append(py::bytes(line));
            if (limit > 0 && total >= limit) break;
        }
        return lines;
    }
    py::bytes next() {
        auto line = streams_->input ? streams_->input->readline() : std::string();
        if (line.empty()) throw py::stop_iteration();
        return py::bytes(line);
    }

private:
    static long to_long(const py::object& size) { return size.is_none() ? -1 : size.cast<long>(); }
    std::shared_ptr<RequestStreams> streams_;
};

// wsgi.errors: text into the server's error log.
class ErrorStream {
public:
    explicit ErrorStream(std::shared_ptr<RequestStreams> streams) : streams_(std::move(streams)) {}

    void write(const std::string& text) {
        if (streams_->errors) streams_->errors->write(text);
        else log::error("{}", text);
    }
    void writelines(const py::iterable& lines) {
        for (const auto& line : lines) write(line.cast<std::string>());
    }
    void flush() {
        if (streams_->errors) streams_->errors->flush();
    }

private:
    std::shared_ptr<RequestStreams> streams_;
};

// wsgi.file_wrapper, in Python: an iterable reading a file in blocks that
// the server calls close() on (PEP 3333's own example, in essence).
constexpr const char* file_wrapper_source = R"(
class FileWrapper:
    def __init__(self, filelike, blksize=8192):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, 'close'):
            self.close = filelike.close

    def __iter__(self):
        return self

    def __next__(self):
        data = self.filelike.read(self.blksize)
        if data:
            return data
        raise StopIteration
)";

// The FileWrapper class, made once (a reference kept for the process's life).
PyObject* file_wrapper = nullptr;
}  // namespace

void register_wsgi_types() {
    py::gil_scoped_acquire gil;
    py::module_ wsgi_module = py::reinterpret_borrow<py::module_>(py::module_::import("types").attr("ModuleType")("webstack_wsgi"));
    py::class_<InputStream>(wsgi_module, "InputStream")
        .def("read", &InputStream::read, py::arg("size") = py::none())
        .def("readline", &InputStream::readline, py::arg("size") = py::none())
        .def("readlines", &InputStream::readlines, py::arg("hint") = py::none())
        .def("__iter__", [](py::object self) { return self; })
        .def("__next__", &InputStream::next);
    py::class_<ErrorStream>(wsgi_module, "ErrorStream")
        .def("write", &ErrorStream::write)
        .def("writelines", &ErrorStream::writelines)
        .def("flush", &ErrorStream::flush);
    register_call_types(wsgi_module);
    py::exec(file_wrapper_source, wsgi_module.attr("__dict__"));
    file_wrapper = py::object(wsgi_module.attr("FileWrapper")).release().ptr();
    py::module_::import("sys").attr("modules")["webstack_wsgi"] = wsgi_module;
}

py::object make_input_stream(std::shared_ptr<RequestStreams> streams) {
    return py::cast(InputStream(std::move(streams)));
}

py::object make_error_stream(std::shared_ptr<RequestStreams> streams) {
    return py::cast(ErrorStream(std::move(streams)));
}

py::object file_wrapper_type() { return py::reinterpret_borrow<py::object>(file_wrapper); }

}  // namespace webstack::python
