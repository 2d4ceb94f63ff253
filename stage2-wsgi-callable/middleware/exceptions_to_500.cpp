#include "middleware/middleware.hpp"

#include <exception>
#include <memory>
#include <string>

namespace webstack::wsgi {

namespace {
const char* const error_page = "<!doctype html><title>500 Internal Server Error</title><h1>Server Error (500)</h1>\n";

Body error_response(StartResponse& start_response) {
    // exc_info says "this replaces any start_response() the app made";
    // if the headers already left, start_response rethrows it instead, and
    // the server closes the connection.
    start_response("500 Internal Server Error", {{"Content-Type", "text/html; charset=utf-8"}},
                   std::current_exception());
    return Body{error_page};
}

// What the exception being handled says: Django logs a traceback here,
// C++ has only the message.
std::string what_was_raised() {
    try {
        throw;
    } catch (const std::exception& error) {
        return error.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}
}  // namespace

Application exceptions_to_500(Application application) {
    return [application = std::move(application)](Environ& environ, StartResponse& start_response) -> Body {
        std::shared_ptr<Body> inner;
        try {
            inner = std::make_shared<Body>(application(environ, start_response));
        } catch (const ContractError&) {
            throw;  // a broken contract is the server's to report, not a page to show
        } catch (...) {
            environ.wsgi_errors->write("exceptions_to_500: the application raised (" + what_was_raised() +
                                       "); answering 500\n");
            return error_response(start_response);
        }
        // Exceptions while the body is produced: same treatment, if it is
        // not too late.
        auto failed = std::make_shared<std::optional<Body>>();
        return Body::generator(
            [inner, failed, &start_response, errors = environ.wsgi_errors]() -> std::optional<std::string> {
                if (*failed) return (*failed)->next();
                try {
                    return inner->next();
                } catch (const ContractError&) {
                    throw;
                } catch (...) {
                    errors->write("exceptions_to_500: the body raised (" + what_was_raised() + "); answering 500\n");
                    *failed = error_response(start_response);
                    return (*failed)->next();
                }
            },
            [inner] { inner->close(); });
    };
}

}  // namespace webstack::wsgi
