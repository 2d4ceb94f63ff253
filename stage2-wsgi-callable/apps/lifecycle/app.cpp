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
#include <string>
#include <unistd.h>

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

// What the home page tells about its own journey: which process made it,
// and what the app received from whoever connected to it. Behind the proxy
// (make demo) that is the proxy: REMOTE_ADDR is its address, the browser's
// is the last entry of X-Forwarded-For. The page's script (site.js) adds
// which of its files came from the proxy's disk.
constexpr std::string_view journey = R"(<section id="journey">
<h2>How this page reached you</h2>
<p>This page was made by the app in the worker process with pid <code id="worker-pid">{{ pid }}</code>.
Reload it a few times: with several workers another process may answer
(TUTORIAL.md, chapter 3, "Fork and the shared socket").</p>
<p>What the app received (its WSGI environ):</p>
<table>
<tr><th>Host</th><td><code>{{ host }}</code></td><td>the name you asked for; the proxy's <code>Host $host</code> drops the port (chapter 4a, "X-Forwarded-For")</td></tr>
<tr><th>X-Forwarded-For</th><td><code>{{ forwarded_for }}</code></td><td>your address, as the proxy wrote it down (empty: no proxy in front)</td></tr>
<tr><th>REMOTE_ADDR</th><td><code>{{ remote_addr }}</code></td><td>whoever connected to the app server: behind a proxy, the proxy</td></tr>
<tr><th>wsgi.url_scheme</th><td><code>{{ scheme }}</code></td><td>http, unless a trusted proxy says <code>X-Forwarded-Proto: https</code> (chapter 4a, "HTTPS")</td></tr>
</table>
<p>Which of this page's files the app never saw (chapter 5, "The whole stack, from one command"):</p>
<ul id="static-files"><li>(in a browser, the page's script lists them here; with curl, ask <code>curl -I</code> for each file: one from the proxy's disk has a Last-Modified and no X-Content-Type-Options)</li></ul>
</section>
)";

Response home(Request& request) {
    std::string items;
    for (const auto& [id, article] : articles)
        items += render("<li><a href=\"/articles/{{ id }}/\">{{ title }}</a></li>\n", {{"id", id}, {"title", article.title}});
    const auto& environ = *request.environ;
    const std::string about = render(journey, {{"pid", std::to_string(::getpid())},
                                               {"host", environ.get("HTTP_HOST")},
                                               {"forwarded_for", environ.get("HTTP_X_FORWARDED_FOR")},
                                               {"remote_addr", environ.get("REMOTE_ADDR")},
                                               {"scheme", environ.wsgi_url_scheme}});
    return page("Articles", "<h1>Articles</h1>\n<ul>\n" + items + "</ul>\n" + about);
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
