#include "middleware/middleware.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>

namespace webstack::wsgi {

Application request_logger(Application application) {
    return [application = std::move(application)](Environ& environ, StartResponse& start_response) -> Body {
        struct Record {
            std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
            std::string status = "-";
            std::size_t bytes = 0;
        };
        auto record = std::make_shared<Record>();
        // Kept alive by the body: an app may call start_response() from its generator.
        auto logging_start_response = std::make_shared<StartResponse>(
            [record, &start_response](std::string_view status, Headers headers, std::exception_ptr exc_info) {
                record->status = std::string(status);
                return start_response(status, std::move(headers), std::move(exc_info));
            });
        auto inner = std::make_shared<Body>(application(environ, *logging_start_response));
        const auto line = fmt::format("{} {}{}{}", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"),
                                      environ.get("QUERY_STRING").empty() ? "" : "?", environ.get("QUERY_STRING"));
        Errors* errors = environ.wsgi_errors;
        return Body::generator(
            [record, inner, logging_start_response]() {
                auto chunk = inner->next();
                if (chunk) record->bytes += chunk->size();
                return chunk;
            },
            [record, inner, line, errors] {
                inner->close();
                const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - record->start);
                errors->write(fmt::format("request_logger: {} -> {} ({} bytes, {:.1f} ms)\n", line, record->status,
                                          record->bytes, elapsed.count()));
            });
    };
}

}  // namespace webstack::wsgi
