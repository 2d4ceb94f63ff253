// The lifecycle example: a small Django-like site, built with the framework
// in this folder. Its `application` is what Django's wsgi.py exposes:
//
//     application = get_wsgi_application()
//
// Run it:  stage2-wsgi-callable lifecycle:application
//   /                 the articles
//   /articles/<id>/   one article (404 for an unknown id)
//   /contact/         a form; its POST body is read from wsgi.input
//   /boom/            a view that raises: see the middleware answer 500
#include "framework.hpp"
#include "middleware/middleware.hpp"
#include "template.hpp"

#include <stdexcept>

using namespace lifecycle;

namespace {
struct Article {
    std::string title, text;
};
const std::map<std::string, Article> articles = {
    {"1", {"The life of a request", "From the browser through nginx and Gunicorn to your view, and back."}},
    {"2", {"What the heck is WSGI", "One function call between any server and any app."}},
    {"3", {"Why runserver is not for production", "One slow client and everybody waits."}},
};

// The base template every page extends. Its stylesheet, script and logo
// live under /static/ (examples/site/static/): the proxy of stage 5
// serves them from disk, as nginx does for a Django site. Without the
// proxy in front they are 404s, and that is fine.
constexpr std::string_view base = R"(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/css/site.css">
<script src="/static/js/site.js" defer></script></head>
<body>
<nav><img id="logo" src="/static/img/logo.png" alt="webstack"> <a href="/">Articles</a> | <a href="/contact/">Contact</a></nav>
<main>{{ content|safe }}</main>
</body>
</html>
)";

Response page(const std::string& title, const std::string& content) {
    return Response{"200 OK", render(base, {{"title", title}, {"content", content}})};
}

Response home(Request&) {
    std::string items;
    for (const auto& [id, article] : articles)
        items += render("<li><a href=\"/articles/{{ id }}/\">{{ title }}</a></li>\n", {{"id", id}, {"title", article.title}});
    return page("Articles", "<h1>Articles</h1>\n<ul>\n" + items + "</ul>\n");
}

Response article(Request& request) {
    const auto found = articles.find(request.params["id"]);
    if (found == articles.end()) return Response::not_found(render(base, {{"title", "Not found"}, {"content", "<h1>No such article</h1>"}}));
    return page(found->second.title,
                render("<h1>{{ title }}</h1>\n<p>{{ text }}</p>\n", {{"title", found->second.title}, {"text", found->second.text}}));
}

Response contact(Request& request) {
    if (request.method == "POST") {
        // Escaped by the template: a name like <script> is shown, not run.
        return page("Thank you", render("<h1>Thank you, {{ name }}</h1>\n<p>You wrote: {{ message }}</p>\n",
                                        {{"name", request.form["name"]}, {"message", request.form["message"]}}));
    }
    return page("Contact", R"(<h1>Contact</h1>
<form method="post" action="/contact/">
<label>Name <input name="name"></label>
<label>Message <textarea name="message"></textarea></label>
<button>Send</button>
</form>
)");
}

Response boom(Request&) { throw std::runtime_error("this view is broken on purpose"); }

// Framework-level middleware, like Django's SecurityMiddleware: every
// response gets a header, whatever the view did.
Response security_headers(Request& request, const View& next) {
    Response response = next(request);
    response.headers.push_back({"X-Content-Type-Options", "nosniff"});
    return response;
}

webstack::wsgi::Application get_wsgi_application() {
    Router urls;
    urls.add("/", home);
    urls.add("/articles/<id>/", article);
    urls.add("/contact/", contact);
    urls.add("/boom/", boom);
    // WSGI-level middleware wraps the whole framework, the way a
    // WSGI server sees Django: one application object.
    return webstack::wsgi::request_logger(
        webstack::wsgi::exceptions_to_500(make_wsgi_application(urls, {security_headers})));
}
}  // namespace

const webstack::wsgi::Application application = get_wsgi_application();

WSGI_APPLICATION(application);
