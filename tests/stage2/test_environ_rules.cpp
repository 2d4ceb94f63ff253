// How a request becomes environ, in-process (wsgi/environ.hpp): the CGI
// names of headers, the two that have their own keys, repeated headers.
#include "catch.hpp"
#include "wsgi/environ.hpp"

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

TEST_CASE("environ: headers from a request, Content-Type and Content-Length apart", "[stage2]") {
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
