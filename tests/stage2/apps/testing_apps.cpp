// Apps that exist only for the stage 2 tests: each makes one part of the
// contract visible from outside the process (in the response or the log).
#include "wsgi/contract.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>

using namespace webstack::wsgi;

namespace {
Body text(StartResponse& start_response, std::string body, std::string status = "200 OK") {
    start_response(status, {{"Content-Type", "text/plain"}, {"Content-Length", std::to_string(body.size())}});
    return {body};
}

int query_number(const Environ& environ, const std::string& name, int fallback) {
    const auto query = environ.get("QUERY_STRING");
    const auto at = query.find(name + "=");
    return at == std::string::npos ? fallback : std::stoi(query.substr(at + name.size() + 1));
}

// A body whose close() leaves a line in the server's log.
Body logging_close(Environ& environ, Body body) {
    auto inner = std::make_shared<Body>(std::move(body));
    Errors* errors = environ.wsgi_errors;
    std::string path = environ.get("PATH_INFO");
    return Body::generator([inner] { return inner->next(); },
                           [inner, errors, path] {
                               inner->close();
                               errors->write("close() called for " + path + "\n");
                           });
}
}  // namespace

// Every environ key as KEY=value lines, then the wsgi.* members, then the body.
Body dump_environ(Environ& environ, StartResponse& start_response) {
    std::string out;
    for (const auto& [key, value] : environ.vars) out += key + "=" + value + "\n";
    out += "wsgi.version=" + std::to_string(environ.wsgi_version.first) + "." + std::to_string(environ.wsgi_version.second) + "\n";
    out += "wsgi.url_scheme=" + environ.wsgi_url_scheme + "\n";
    out += std::string("wsgi.multithread=") + (environ.wsgi_multithread ? "1" : "0") + "\n";
    out += std::string("wsgi.multiprocess=") + (environ.wsgi_multiprocess ? "1" : "0") + "\n";
    out += std::string("wsgi.run_once=") + (environ.wsgi_run_once ? "1" : "0") + "\n";
    out += std::string("wsgi.input_terminated=") + (environ.wsgi_input_terminated ? "1" : "0") + "\n";
    out += "wsgi.input=" + environ.wsgi_input->read() + "\n";
    out += "after end=[" + environ.wsgi_input->read() + "]\n";
    return text(start_response, out);
}
WSGI_APPLICATION(dump_environ);

// wsgi.input line by line: "[line]" per line, the newline shown as \n.
Body read_lines(Environ& environ, StartResponse& start_response) {
    std::string out;
    for (auto& line : environ.wsgi_input->readlines()) {
        if (line.ends_with('\n')) line = line.substr(0, line.size() - 1) + "\\n";
        out += "[" + line + "]";
    }
    return text(start_response, out);
}
WSGI_APPLICATION(read_lines);

// ?n=N chunks from a generator, with no Content-Length: the server frames them.
Body stream(Environ& environ, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain"}});
    const int count = query_number(environ, "n", 3);
    return logging_close(environ, Body::generator([count, i = 0]() mutable -> std::optional<std::string> {
        if (i == count) return std::nullopt;
        return "chunk " + std::to_string(i++) + "\n";
    }));
}
WSGI_APPLICATION(stream);

// 64 MiB in 64 KiB chunks: more than any socket buffer, so a client that
// leaves early makes a write fail.
Body big_stream(Environ& environ, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "application/octet-stream"}});
    return logging_close(environ, Body::generator([i = 0]() mutable -> std::optional<std::string> {
        if (i++ == 1024) return std::nullopt;
        return std::string(64 * 1024, 'x');
    }));
}
WSGI_APPLICATION(big_stream);

// start_response() is called, then the generator raises before any byte.
Body raise_in_body(Environ& environ, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain"}});
    return logging_close(environ, Body::generator([]() -> std::optional<std::string> {
        throw std::runtime_error("raised inside the body");
    }));
}
WSGI_APPLICATION(raise_in_body);

// The legacy write() callable instead of a returned body.
Body legacy_write(Environ&, StartResponse& start_response) {
    Write write = start_response("200 OK", {{"Content-Type", "text/plain"}});
    write("written ");
    write("with write()\n");
    return {};
}
WSGI_APPLICATION(legacy_write);

// Changes its mind before any body byte: a second start_response() with exc_info.
Body exc_info_recovery(Environ&, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain"}});
    try {
        throw std::runtime_error("the cache is unavailable");
    } catch (...) {
        start_response("503 Service Unavailable", {{"Content-Type", "text/plain"}}, std::current_exception());
    }
    return {"try again later\n"};
}
WSGI_APPLICATION(exc_info_recovery);

// Calls start_response() from inside its generator, after returning.
Body lazy_start_response(Environ&, StartResponse& start_response) {
    return Body::generator([&start_response, done = false]() mutable -> std::optional<std::string> {
        if (done) return std::nullopt;
        done = true;
        start_response("200 OK", {{"Content-Type", "text/plain"}});
        return "started late\n";
    });
}
WSGI_APPLICATION(lazy_start_response);

// A 204 that tries to send a body anyway.
Body no_content(Environ&, StartResponse& start_response) {
    start_response("204 No Content", {});
    return {"this must not be sent"};
}
WSGI_APPLICATION(no_content);

// The default name: loaded by "testing" alone.
Body application(Environ&, StartResponse& start_response) { return text(start_response, "default callable\n"); }
WSGI_APPLICATION(application);

// An export that claims another contract version: the loader must refuse it.
extern "C" __attribute__((visibility("default"))) const ExportedApplication webstack_wsgi_app__from_the_future{
    contract_version + 1, Application(application)};

// The worker's process id: tells the stage 3 tests which worker answered.
Body worker_pid(Environ&, StartResponse& start_response) { return text(start_response, std::to_string(::getpid())); }
WSGI_APPLICATION(worker_pid);

// Blocks for ?seconds=N: a slow view, or (past --timeout) a stuck one.
Body slow(Environ& environ, StartResponse& start_response) {
    const int seconds = query_number(environ, "seconds", 1);
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    return text(start_response, "slept " + std::to_string(seconds) + "\n");
}
WSGI_APPLICATION(slow);
