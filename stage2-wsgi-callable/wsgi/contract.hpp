// The contract between a server and an application: the C++ image of
// PEP 3333, "Python Web Server Gateway Interface v1.0.1" (WSGI).
//
// Read this file as the specification. An application is anything callable
// as
//
//     Body application(Environ& environ, StartResponse& start_response);
//
// which, exactly as in Python,
//   1. reads the request from `environ` (CGI-style keys, plus wsgi.input),
//   2. calls start_response("200 OK", {{"Content-Type", "text/html"}}),
//   3. returns the body: an iterable of byte chunks, maybe a generator.
//
// The server promises to call body.close() when it is done with the body,
// also after an error and when the client went away.
//
// Any app built against this header runs on any server built against it:
// stage 2's simple server today, stage 3's prefork server later.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webstack::wsgi {

// Bumped whenever a type below changes; an app built against another
// version is refused at load time instead of crashing.
inline constexpr int contract_version = 2;

// environ["wsgi.input"]: the request body, exactly its bytes (the server
// has removed Content-Length or chunked framing). Reading past the end
// returns "": the end of the body.
class Input {
public:
    virtual ~Input() = default;
    // Up to `size` bytes; everything left when size < 0.
    virtual std::string read(long size = -1) = 0;
    // One line, with its "\n" (the last one may have none); "" at the end.
    virtual std::string readline(long size = -1) = 0;
    // Every line that is left.
    std::vector<std::string> readlines() {
        std::vector<std::string> lines;
        for (auto line = readline(); !line.empty(); line = readline()) lines.push_back(std::move(line));
        return lines;
    }
};

// environ["wsgi.errors"]: where an app writes errors; it ends up in the
// server's error log.
class Errors {
public:
    virtual ~Errors() = default;
    virtual void write(std::string_view text) = 0;
    virtual void flush() {}
};

// The request. `vars` holds every string key of PEP 3333's environ:
//   REQUEST_METHOD, SCRIPT_NAME, PATH_INFO (percent-decoded), QUERY_STRING,
//   CONTENT_TYPE, CONTENT_LENGTH, SERVER_NAME, SERVER_PORT, SERVER_PROTOCOL,
//   REMOTE_ADDR, REMOTE_PORT, SERVER_SOFTWARE, RAW_URI (the target as sent,
//   as Gunicorn gives it), and HTTP_<NAME> for every other header
//   (User-Agent -> HTTP_USER_AGENT; repeated headers joined with ",").
// The wsgi.* keys, which in Python are other types, are members.
struct Environ {
    std::map<std::string, std::string> vars;

    std::pair<int, int> wsgi_version{1, 0};   // wsgi.version
    std::string wsgi_url_scheme = "http";     // wsgi.url_scheme
    Input* wsgi_input = nullptr;              // wsgi.input
    Errors* wsgi_errors = nullptr;            // wsgi.errors
    bool wsgi_multithread = false;            // wsgi.multithread: other threads run the app too
    bool wsgi_multiprocess = false;           // wsgi.multiprocess: other processes run the app too
    bool wsgi_run_once = false;               // wsgi.run_once: this process serves one request (CGI)
    bool wsgi_input_terminated = true;        // wsgi.input_terminated: reading wsgi.input ends at the body's end

    // environ.get(key, fallback), as in Python.
    std::string get(const std::string& key, std::string fallback = "") const {
        auto found = vars.find(key);
        return found == vars.end() ? fallback : found->second;
    }
};

// The response headers: a list of (name, value) pairs, in order.
using Headers = std::vector<std::pair<std::string, std::string>>;

// The legacy write(bytes) callable start_response returns, for apps that
// push their body instead of returning it.
using Write = std::function<void(std::string_view bytes)>;

// start_response(status, response_headers, exc_info=None).
// status is "NNN Reason", e.g. "404 Not Found". exc_info is only for error
// handlers: a second call is allowed only with it, and if the headers were
// already sent it rethrows it (PEP 3333, "The start_response() Callable").
class StartResponse {
public:
    using Function = std::function<Write(std::string_view status, Headers headers, std::exception_ptr exc_info)>;
    explicit StartResponse(Function function) : function_(std::move(function)) {}

    Write operator()(std::string_view status, Headers headers, std::exception_ptr exc_info = nullptr) const {
        return function_(status, std::move(headers), std::move(exc_info));
    }

private:
    Function function_;
};

// The iterable an application returns. Build it from a list of chunks,
// `return {text};` as Python's `return [text]`, or from a generator
// function that yields the next chunk until it returns std::nullopt.
class Body {
public:
    using Next = std::function<std::optional<std::string>()>;
    using Close = std::function<void()>;

    Body() : Body(std::vector<std::string>{}) {}
    Body(std::string chunk) : Body(std::vector<std::string>{std::move(chunk)}) {}
    Body(const char* chunk) : Body(std::string(chunk)) {}
    Body(std::initializer_list<std::string> chunks) : Body(std::vector<std::string>(chunks)) {}
    Body(std::vector<std::string> chunks) {
        next_ = [chunks = std::move(chunks), index = std::size_t{0}]() mutable -> std::optional<std::string> {
            if (index == chunks.size()) return std::nullopt;
            return std::move(chunks[index++]);
        };
    }
    static Body generator(Next next, Close close = {}) {
        Body body;
        body.next_ = std::move(next);
        body.close_ = std::move(close);
        return body;
    }

    // A body that is (a part of) an open file, PEP 3333's wsgi.file_wrapper:
    // a server that can sends those bytes with sendfile() instead of asking
    // next() for them; any other server just iterates, so next() must still
    // give the same bytes. The file stays open until close().
    struct FileRange {
        int fd;
        std::int64_t offset;
        std::int64_t count;
    };
    void set_file(FileRange range) { file_ = range; }
    const std::optional<FileRange>& file() const { return file_; }

    // The next chunk (it may be empty), or nothing at the end: Python's next().
    std::optional<std::string> next() { return next_(); }
    // Releases what the body holds. The server calls it exactly once.
    void close() {
        if (auto close = std::exchange(close_, nullptr)) close();
    }

private:
    Next next_;
    Close close_;
    std::optional<FileRange> file_;
};

// An application: a function, or an object with operator(), like Django's.
using Application = std::function<Body(Environ& environ, StartResponse& start_response)>;

// What an app's shared object exports under the name of its callable.
struct ExportedApplication {
    int contract_version;
    Application application;
};

// Thrown by start_response when an app breaks the contract: the server
// answers 500 and logs the reason.
class ContractError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

// Thrown by a bridge to another language (python/) when the app raised
// there: what() is that language's own report, a Python traceback, which
// the server logs as it is.
class ApplicationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace webstack::wsgi

// Exports `callable` (a function or an object) so that the server can load
// it by name, as in `stage2-wsgi-callable hello_world:process_http_request`.
// The exported symbol also records the contract version the app was built
// against.
#define WSGI_APPLICATION(callable)                                                    \
    extern "C" __attribute__((visibility("default")))                                 \
    const ::webstack::wsgi::ExportedApplication webstack_wsgi_app__##callable{        \
        ::webstack::wsgi::contract_version, ::webstack::wsgi::Application(callable)}

// The symbol the loader looks for, for a callable name.
#define WSGI_SYMBOL_PREFIX "webstack_wsgi_app__"
