#include "framework.hpp"

#include <memory>

namespace lifecycle {

namespace {
int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode_component(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
            out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        if (slash == std::string_view::npos) slash = path.size();
        parts.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return parts;
}
}  // namespace

Response Response::not_found(const std::string& body) { return Response{"404 Not Found", body}; }

Response Response::redirect(const std::string& location) {
    Response response{"303 See Other", ""};
    response.headers.push_back({"Location", location});
    return response;
}

Values parse_urlencoded(std::string_view text) {
    Values values;
    while (!text.empty()) {
        const auto amp = text.find('&');
        const auto pair = text.substr(0, amp);
        const auto equals = pair.find('=');
        if (!pair.empty()) {
            values[decode_component(pair.substr(0, equals))] =
                equals == std::string_view::npos ? "" : decode_component(pair.substr(equals + 1));
        }
        if (amp == std::string_view::npos) break;
        text.remove_prefix(amp + 1);
    }
    return values;
}

void Router::add(std::string pattern, View view) { routes_.emplace_back(std::move(pattern), std::move(view)); }

std::optional<View> Router::match(const std::string& path, Values& params) const {
    const auto wanted = segments(path);
    for (const auto& [pattern, view] : routes_) {
        const auto expected = segments(pattern);
        if (expected.size() != wanted.size()) continue;
        Values found;
        bool same = true;
        for (std::size_t i = 0; i < expected.size() && same; ++i) {
            const auto part = expected[i];
            if (part.size() > 2 && part.front() == '<' && part.back() == '>' && !wanted[i].empty()) {
                found[std::string(part.substr(1, part.size() - 2))] = std::string(wanted[i]);
            } else {
                same = part == wanted[i];
            }
        }
        if (same) {
            params = std::move(found);
            return view;
        }
    }
    return std::nullopt;
}

webstack::wsgi::Application make_wsgi_application(Router router, std::vector<Middleware> middleware) {
    // Build the chain once: middleware[0](middleware[1](...(route)))
    View handler = [router = std::move(router)](Request& request) {
        if (auto view = router.match(request.path, request.params)) return (*view)(request);
        return Response::not_found("<h1>Not Found</h1><p>No page here.</p>\n");
    };
    for (auto layer = middleware.rbegin(); layer != middleware.rend(); ++layer) {
        handler = [layer = *layer, next = handler](Request& request) { return layer(request, next); };
    }
    return [handler](webstack::wsgi::Environ& environ, webstack::wsgi::StartResponse& start_response) {
        Request request;
        request.method = environ.get("REQUEST_METHOD");
        request.path = environ.get("PATH_INFO");
        request.query = parse_urlencoded(environ.get("QUERY_STRING"));
        request.environ = &environ;
        if (request.method == "POST" &&
            environ.get("CONTENT_TYPE").starts_with("application/x-www-form-urlencoded")) {
            request.form = parse_urlencoded(environ.wsgi_input->read());
        }
        Response response = handler(request);
        response.headers.push_back({"Content-Length", std::to_string(response.body.size())});
        start_response(response.status, response.headers);
        return webstack::wsgi::Body{response.body};
    };
}

}  // namespace lifecycle
