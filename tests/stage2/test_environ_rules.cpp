// How a request becomes environ, in-process (wsgi/environ.hpp): the CGI
// names of headers, the two that have their own keys, repeated headers.
#include "catch.hpp"
#include "wsgi/environ.hpp"
#include "wsgi/rules.hpp"

using namespace webstack;

TEST_CASE("environ: a header's CGI name", "[stage2][ex.stage2.cgi_name]") {
    const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
        {"User-Agent", "HTTP_USER_AGENT"},
        {"x-custom", "HTTP_X_CUSTOM"},
        {"Accept", "HTTP_ACCEPT"},
        {"X-Forwarded-For", "HTTP_X_FORWARDED_FOR"},
        {"X_Forwarded_For", std::nullopt},  // would land on X-Forwarded-For's key: dropped
        {"Bad_", std::nullopt},
    };
    for (const auto& [header, expected] : cases) {
        INFO("header " << header << " -> " << expected.value_or("(dropped)"));
        CHECK(wsgi::cgi_name(header) == expected);
    }
}

TEST_CASE("environ: headers from a request, Content-Type and Content-Length apart", "[stage2][ex.stage2.environ_headers]") {
    http::Request request;
    request.method = "POST";
    request.target = "/a%20b?x=1";
    request.version = {1, 1};
    request.headers.add("Host", "example.test");
    request.headers.add("Content-Type", "text/plain");
    request.headers.add("Content-Length", "5");
    request.headers.add("Accept", "text/html");
    request.headers.add("Accept", "text/plain");
    request.headers.add("X_Forged", "1");
    const auto environ = wsgi::make_environ(request, {"127.0.0.1", "8000", "192.0.2.7", "50000"});
    REQUIRE(environ);
    const auto& vars = environ->vars;
    CHECK(vars.at("PATH_INFO") == "/a b");
    CHECK(vars.at("QUERY_STRING") == "x=1");
    CHECK(vars.at("CONTENT_TYPE") == "text/plain");
    CHECK(vars.at("CONTENT_LENGTH") == "5");
    CHECK_FALSE(vars.contains("HTTP_CONTENT_TYPE"));
    CHECK(vars.at("HTTP_ACCEPT") == "text/html,text/plain");  // repeated: joined with ","
    CHECK(vars.at("HTTP_HOST") == "example.test");
    CHECK(vars.at("REMOTE_ADDR") == "192.0.2.7");
    for (const auto& [key, value] : vars) CHECK(key.find("FORGED") == std::string::npos);
}

TEST_CASE("environ: add_headers, field by field", "[stage2][ex.stage2.environ_headers]") {
    http::HeaderList headers;
    headers.add("content-length", "12");  // any case: header names are case-insensitive
    headers.add("Content-Type", "application/json");
    headers.add("Cookie", "a=1");
    headers.add("Cookie", "b=2");
    headers.add("X-Forwarded-For", "10.0.0.1");
    headers.add("X_Forwarded_For", "6.6.6.6");  // the underscore twin, dropped
    std::map<std::string, std::string> vars{{"REQUEST_METHOD", "GET"}};
    wsgi::add_headers(headers, vars);
    CHECK(vars.at("CONTENT_LENGTH") == "12");
    CHECK(vars.at("CONTENT_TYPE") == "application/json");
    CHECK_FALSE(vars.contains("HTTP_CONTENT_LENGTH"));
    CHECK(vars.at("HTTP_COOKIE") == "a=1,b=2");
    CHECK(vars.at("HTTP_X_FORWARDED_FOR") == "10.0.0.1");
    CHECK(vars.at("REQUEST_METHOD") == "GET");  // what was there stays
    CHECK(vars.size() == 5);
}

TEST_CASE("start_response: the status line an app may give", "[stage2][ex.stage2.status_line]") {
    for (std::string_view good : {"200 OK", "404 Not Found", "599 Whatever It Likes", "201 Created "}) {
        const auto problem = wsgi::check_status_line(good);
        INFO("status \"" << good << "\" gave \"" << problem << "\"");
        CHECK(problem.empty());
    }
    for (std::string_view bad : {"200", "200OK", "200 ", "20 OK", "2000 OK", "abc OK", "099 Too Low", "OK 200",
                                 "200\tOK", ""}) {
        const auto problem = wsgi::check_status_line(bad);
        INFO("status \"" << bad << "\" gave \"" << problem << "\"");
        CHECK(problem == "status \"" + std::string(bad) + "\" is not of the form \"NNN Reason\", e.g. \"200 OK\"");
    }
    // A line break would let an app write a header of its own into the status line.
    CHECK(wsgi::check_status_line("200 OK\r\nSet-Cookie: x=1") == "the status has a line break");
    CHECK(wsgi::check_status_line("302 Found\n") == "the status has a line break");
}
