#include "middleware/middleware.hpp"

#include "http/headers.hpp"
#include "http/message_rules.hpp"
#include "wsgi/rules.hpp"

#include <fmt/format.h>

#include <charconv>
#include <memory>

namespace webstack::wsgi {

namespace {
[[noreturn]] void fail(const std::string& problem) { throw ContractError("validator: " + problem); }

bool is_number(std::string_view text) {
    unsigned long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.empty() && error == std::errc{} && end == text.data() + text.size();
}

// The server's side: PEP 3333's required keys and their types.
void check_environ(const Environ& environ) {
    for (const char* key : {"REQUEST_METHOD", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "PATH_INFO",
                            "SCRIPT_NAME", "QUERY_STRING"}) {
        if (!environ.vars.contains(key)) fail(fmt::format("environ has no {}", key));
    }
    if (environ.get("REQUEST_METHOD").empty()) fail("REQUEST_METHOD is empty");
    for (const char* key : {"SCRIPT_NAME", "PATH_INFO"}) {
        const auto value = environ.get(key);
        if (!value.empty() && !value.starts_with('/')) fail(fmt::format("{} \"{}\" must start with /", key, value));
    }
    if (environ.get("SCRIPT_NAME") == "/") fail("SCRIPT_NAME must be \"\" rather than \"/\"");
    if (environ.vars.contains("CONTENT_LENGTH") && !is_number(environ.get("CONTENT_LENGTH")))
        fail("CONTENT_LENGTH is not a number");
    for (const char* key : {"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"}) {
        if (environ.vars.contains(key)) fail(fmt::format("environ must not have {} (it is {} in CGI)", key, key + 5));
    }
    if (environ.wsgi_version != std::pair{1, 0}) fail("wsgi.version is not (1, 0)");
    if (environ.wsgi_url_scheme != "http" && environ.wsgi_url_scheme != "https")
        fail("wsgi.url_scheme is neither http nor https");
    if (!environ.wsgi_input || !environ.wsgi_errors) fail("wsgi.input or wsgi.errors is missing");
}

// The app's side, for one request.
struct ResponseState {
    Errors* errors = nullptr;
    bool started = false, closed = false, ended = false;
    bool body_returned = false;   // the app returned a body (it did not raise)
    bool head_request = false;
    int status = 0;
    std::optional<std::size_t> content_length;
    std::size_t bytes = 0;

    void count(std::string_view chunk) {
        bytes += chunk.size();
        if (content_length && !head_request && bytes > *content_length)
            fail(fmt::format("the body is longer than its Content-Length ({} > {})", bytes, *content_length));
    }
    void check_complete() {
        const bool has_body = status >= 200 && status != 204 && status != 304 && !head_request;
        if (content_length && has_body && bytes < *content_length)
            fail(fmt::format("the body is shorter than its Content-Length ({} < {})", bytes, *content_length));
    }
    // Like wsgiref.validate's "Iterator garbage collected without being
    // closed". An app that raised returned no body: nothing to close.
    ~ResponseState() {
        if (body_returned && !closed && errors)
            errors->write("validator: the server never called close() on the body\n");
    }
};

void check_headers(const Headers& headers, ResponseState& state) {
    for (const auto& [name, value] : headers) {
        if (http::equals_ignoring_case(name, "Status")) fail("\"Status\" is not a header (it is the status line)");
        if (http::is_hop_by_hop(name, http::HopByHop::Pep3333))
            fail(fmt::format("\"{}\" is a hop-by-hop header", name));
        if (!http::is_token(name)) fail(fmt::format("header name \"{}\" is not a token", name));
        if (std::any_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 && c != '\t'; }))
            fail(fmt::format("header \"{}\" has control characters in its value", name));
        if (http::equals_ignoring_case(name, "Content-Length")) {
            if (!is_number(value)) fail(fmt::format("Content-Length \"{}\" is not a number", value));
            state.content_length = std::stoul(value);
        }
    }
}
}  // namespace

Application validator(Application application) {
    return [application = std::move(application)](Environ& environ, StartResponse& start_response) -> Body {
        check_environ(environ);
        auto state = std::make_shared<ResponseState>();
        state->errors = environ.wsgi_errors;
        state->head_request = environ.get("REQUEST_METHOD") == "HEAD";

        // Kept alive by the body: an app may call start_response() from its
        // generator, after this function has returned.
        auto checked_start_response = std::make_shared<StartResponse>(
            [state, &start_response](std::string_view status, Headers headers, std::exception_ptr exc_info) {
                if (state->started && !exc_info) fail("start_response() called twice without exc_info");
                if (auto problem = check_status_line(status); !problem.empty()) fail(problem);
                check_headers(headers, *state);
                state->started = true;
                state->status = std::stoi(std::string(status.substr(0, 3)));
                Write write = start_response(status, std::move(headers), exc_info);
                return Write([state, write](std::string_view bytes) {
                    if (state->ended) fail("write() called after the body was returned and iterated");
                    state->count(bytes);
                    write(bytes);
                });
            });

        auto inner = std::make_shared<Body>(application(environ, *checked_start_response));
        state->body_returned = true;
        return Body::generator(
            [state, inner, checked_start_response]() -> std::optional<std::string> {
                // As in wsgiref.validate: start_response() may be called
                // lazily, inside the generator, but before its first chunk.
                auto chunk = inner->next();
                if (!state->started) fail("the body produced a chunk before start_response() was called");
                if (chunk) {
                    state->count(*chunk);
                } else {
                    state->ended = true;
                    state->check_complete();
                }
                return chunk;
            },
            [state, inner] {
                if (state->closed) fail("close() called twice");
                state->closed = true;
                inner->close();
            });
    };
}

}  // namespace webstack::wsgi
