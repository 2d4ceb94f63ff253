#include "wsgi/gateway.hpp"

#include "http/message_rules.hpp"
#include "http/serializer.hpp"
#include "log/runserver_log.hpp"
#include "wsgi/environ.hpp"

#include <fmt/format.h>

#include <cxxabi.h>
#include <memory>

namespace webstack::wsgi {

namespace {
// One request's side of the conversation with the app.
class Exchange {
public:
    explicit Exchange(stage1::ResponseWriter& writer) : writer_(writer) {}

    StartResponse start_response() {
        return StartResponse([this](std::string_view status, Headers headers, std::exception_ptr exc_info) {
            return on_start_response(status, std::move(headers), std::move(exc_info));
        });
    }

    // Body bytes from the app. The headers wait for the first non-empty
    // chunk, so an app can still change its mind (with exc_info) until then.
    void send_chunk(std::string_view bytes) {
        if (!head_) throw ContractError("the body started before start_response() was called");
        if (bytes.empty()) return;
        send_headers();
        writer_.write(bytes);
    }

    // A file body, sent with sendfile() by the writer.
    void send_file(const Body::FileRange& file) {
        if (!head_) throw ContractError("the body started before start_response() was called");
        send_headers();
        if (file.count > 0) writer_.send_file(file.fd, file.offset, static_cast<std::size_t>(file.count));
    }

    void finish() {
        if (!head_) throw ContractError("the application returned without calling start_response()");
        send_headers();
        writer_.finish();
    }

    bool headers_sent() const { return headers_sent_; }

private:
    Write on_start_response(std::string_view status, Headers headers, std::exception_ptr exc_info) {
        if (exc_info) {
            // Too late to change the status line: PEP 3333 says re-raise.
            if (headers_sent_) std::rethrow_exception(exc_info);
        } else if (head_) {
            throw ContractError("start_response() called a second time without exc_info");
        }
        if (auto problem = check_status_line(status); !problem.empty()) throw ContractError(problem);
        http::Response head;
        head.status = std::stoi(std::string(status.substr(0, 3)));
        head.reason = std::string(status.substr(4));
        for (auto& [name, value] : headers) {
            if (!http::is_token(name)) throw ContractError(fmt::format("header name \"{}\" is not a valid token", name));
            if (value.find_first_of("\r\n") != std::string::npos)
                throw ContractError(fmt::format("header \"{}\" has a line break in its value", name));
            if (http::is_hop_by_hop(name, http::HopByHop::Pep3333))
                throw ContractError(fmt::format("\"{}\" is a hop-by-hop header: the server's business, not the app's", name));
            head.headers.add(std::move(name), std::move(value));
        }
        head_ = std::move(head);
        return [this](std::string_view bytes) {
            send_headers();  // write() sends the headers even for ""
            send_chunk(bytes);
        };
    }

    void send_headers() {
        if (headers_sent_) return;
        headers_sent_ = true;
        writer_.start(*head_);
    }

    stage1::ResponseWriter& writer_;
    std::optional<http::Response> head_;   // what start_response() set
    bool headers_sent_ = false;
};

std::string describe_current_exception() {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> type(
        abi::__cxa_demangle(abi::__cxa_current_exception_type()->name(), nullptr, nullptr, &status), std::free);
    try {
        throw;
    } catch (const std::exception& error) {
        return fmt::format("{}: {}", type ? type.get() : "exception", error.what());
    } catch (...) {
        return type ? type.get() : "unknown exception";
    }
}

// Django's runserver logs an app's exception as "Internal Server Error:
// PATH" and a traceback. A Python app's traceback comes through the bridge;
// C++ has none to give, so for a C++ app we log the exception's type and
// message instead.
void log_application_error(const http::Request& request, bool headers_sent) {
    std::string traceback;
    try {
        throw;
    } catch (const ApplicationError& error) {
        traceback = error.what();  // a Python app's own traceback
    } catch (...) {
        traceback = "Traceback (the application raised):\n  " + describe_current_exception();
    }
    log::runserver_message(fmt::format("Internal Server Error: {}\n{}{}", request.target, traceback,
                                       headers_sent ? "\n(the headers were already sent: closing the connection)" : ""));
}

http::Response text_response(int status, std::string body) {
    http::Response response;
    response.status = status;
    response.headers.add("Content-Type", "text/plain; charset=utf-8");
    response.body = std::move(body);
    return response;
}

void close_body(Body& body, const http::Request& request) {
    try {
        body.close();
    } catch (...) {
        log_application_error(request, true);
    }
}
}  // namespace

void serve(const Application& application, const http::Request& request, const net::Endpoints& connection,
           stage1::ResponseWriter& writer, const EnvironHook& adjust_environ) {
    auto environ = make_environ(request, connection);
    if (!environ) return writer.send(text_response(400, "Bad Request: the path cannot be decoded\n"));
    if (adjust_environ) {
        if (const auto refused = adjust_environ(*environ)) return writer.send(text_response(400, "Bad Request: " + *refused + "\n"));
    }
    StringInput input(request.body);
    LogErrors errors;
    environ->wsgi_input = &input;
    environ->wsgi_errors = &errors;

    Exchange exchange(writer);
    auto start_response = exchange.start_response();
    std::optional<Body> body;
    try {
        body = application(*environ, start_response);
        if (const auto& file = body->file(); file && writer.can_send_file()) {
            exchange.send_file(*file);
        } else {
            while (auto chunk = body->next()) {
                exchange.send_chunk(*chunk);
                if (writer.failed()) break;  // the client is gone: stop asking the app for more
            }
        }
        exchange.finish();
    } catch (...) {
        log_application_error(request, exchange.headers_sent());
        if (exchange.headers_sent()) {
            writer.abort();
        } else {
            // wsgiref's words for it.
            writer.send(text_response(500, "A server error occurred.  Please contact the administrator.\n"));
        }
    }
    if (body) close_body(*body, request);  // PEP 3333: always, whatever happened
}

}  // namespace webstack::wsgi
