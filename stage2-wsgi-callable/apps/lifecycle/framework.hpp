// A tiny Django-shaped web framework on top of the WSGI contract, so that
// the lifecycle example looks like a real app: URL patterns with
// parameters, views that take a request and return a response, middleware,
// forms read from wsgi.input. make_wsgi_application() turns it all into one
// Application, as Django's get_wsgi_application() does.
#pragma once

#include "wsgi/contract.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lifecycle {

using Values = std::map<std::string, std::string>;

struct Request {
    std::string method;
    std::string path;
    Values query;                 // from QUERY_STRING
    Values form;                  // a POSTed application/x-www-form-urlencoded body
    Values params;                // from the URL pattern: "/articles/<id>/" -> params["id"]
    const webstack::wsgi::Environ* environ = nullptr;
};

struct Response {
    std::string status = "200 OK";
    std::string body;
    webstack::wsgi::Headers headers{{"Content-Type", "text/html; charset=utf-8"}};

    static Response not_found(const std::string& body);
    static Response redirect(const std::string& location);  // 303 See Other, after a POST
};

using View = std::function<Response(Request&)>;

// Patterns are paths in which "<name>" matches one segment.
class Router {
public:
    void add(std::string pattern, View view);
    // The view for `path` (with the URL's parameters filled in), if any.
    std::optional<View> match(const std::string& path, Values& params) const;

private:
    std::vector<std::pair<std::string, View>> routes_;
};

// Django-style middleware: gets the request and the next handler in the chain.
using Middleware = std::function<Response(Request&, const View& next)>;

// The whole site as one WSGI application.
webstack::wsgi::Application make_wsgi_application(Router router, std::vector<Middleware> middleware);

// "a=1&b=x+y%21" -> {a: "1", b: "x y!"}
Values parse_urlencoded(std::string_view text);

}  // namespace lifecycle
