// Shows the environ the server built for your request, as an HTML table:
// the debugging window of chapter 2. Try it with a query string, a form
// post, odd headers:
//     curl -d 'a=1' 'http://127.0.0.1:8000/some/path?x=1' -H 'X-Custom: yes'
#include "http/message_rules.hpp"
#include "wsgi/contract.hpp"

#include <string>

using namespace webstack::wsgi;

namespace {
std::string row(const std::string& key, const std::string& value) {
    return "<tr><th>" + webstack::http::escape_html(key) + "</th><td><code>" + webstack::http::escape_html(value) + "</code></td></tr>\n";
}

std::string yes_no(bool value) { return value ? "True" : "False"; }
}  // namespace

Body application(Environ& environ, StartResponse& start_response) {
    std::string page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>environ</title></head>\n"
                       "<body><h1>environ</h1><table>\n";
    for (const auto& [key, value] : environ.vars) page += row(key, value);  // std::map: sorted, like pprint
    page += row("wsgi.version", "(" + std::to_string(environ.wsgi_version.first) + ", " +
                                    std::to_string(environ.wsgi_version.second) + ")");
    page += row("wsgi.url_scheme", environ.wsgi_url_scheme);
    page += row("wsgi.input", environ.wsgi_input->read());
    page += row("wsgi.multithread", yes_no(environ.wsgi_multithread));
    page += row("wsgi.multiprocess", yes_no(environ.wsgi_multiprocess));
    page += row("wsgi.run_once", yes_no(environ.wsgi_run_once));
    page += row("wsgi.input_terminated", yes_no(environ.wsgi_input_terminated));
    page += "</table></body></html>\n";
    start_response("200 OK", {{"Content-Type", "text/html; charset=utf-8"},
                              {"Content-Length", std::to_string(page.size())}});
    return {page};
}

WSGI_APPLICATION(application);
