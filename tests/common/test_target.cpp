#include "catch.hpp"

#include "http/target.hpp"

using namespace webstack::http;

TEST_CASE("a target splits into a decoded path and a raw query", "[target]") {
    const auto result = parse_target("/static/a%20b.css?v=2&x=%41");
    REQUIRE(result.target);
    CHECK(result.target->path == "/static/a b.css");
    CHECK(result.target->raw_path == "/static/a%20b.css");
    CHECK(result.target->query == "v=2&x=%41");
}

TEST_CASE("dot segments are removed", "[target]") {
    const auto [raw, path] = GENERATE(table<std::string, std::string>({
        {"/", "/"},
        {"/a/./b", "/a/b"},
        {"/a/b/../c", "/a/c"},
        {"/a/b/..", "/a/"},
        {"/a//b", "/a//b"},
        {"/a/%2e%2e/b", "/b"},  // encoded dots are dots too
        {"/static/", "/static/"},
        {"/a//../b", "/a/b"},   // ".." takes back the empty segment
        {"/a/b/../../c/", "/c/"},
        {"/a/.", "/a/"},
        {"/..a/b.", "/..a/b."}, // only whole segments are dots
    }));
    INFO(raw);
    const auto result = parse_target(raw);
    REQUIRE(result.target);
    CHECK(result.target->path == path);
}

TEST_CASE("targets that must be refused", "[target]") {
    const auto raw = GENERATE(as<std::string>{}, "/../etc/passwd", "/a/../../b", "/%2e%2e/x", "/a%00b", "/a%zz",
                              "/a%4", "relative/path", "");
    INFO(raw);
    const auto result = parse_target(raw);
    CHECK_FALSE(result.target);
    CHECK_FALSE(result.error.empty());
}

TEST_CASE("an encoded slash is refused only when asked", "[target]") {
    CHECK(parse_target("/a%2Fb").target->path == "/a/b");
    CHECK_FALSE(parse_target("/a%2Fb", {.reject_encoded_slash = true}).target);
}

TEST_CASE("absolute-form and asterisk targets", "[target]") {
    CHECK(parse_target("http://example.com/a/b?c").target->path == "/a/b");
    CHECK(parse_target("http://example.com/a/b?c").target->query == "c");
    CHECK(parse_target("http://example.com").target->path == "/");
    CHECK(parse_target("*").target->path == "*");
    CHECK(parse_target("HTTP://example.com/a").target->path == "/a");
    CHECK(parse_target("http://example.com?q").target->query == "q");
    CHECK_FALSE(parse_target("http://a@b/x").target);
}

TEST_CASE("host_name: nginx's reading of a Host value", "[target]") {
    using webstack::http::host_name;
    const std::pair<const char*, const char*> good[] = {
        {"a", "a"}, {"Example.COM", "example.com"}, {"example.com:8080", "example.com"}, {"[::1]", "[::1]"},
        {"[::1]:80", "[::1]"}, {"my_host", "my_host"}, {"a:", "a"}, {"www.example.com.", "www.example.com"},
        {"example.com.:88", "example.com"}, {"[v1.AbC]", "[v1.abc]"}, {"a:65535", "a"}};
    for (const auto& [host, name] : good) {
        INFO(host);
        CHECK(host_name(host) == name);
    }
    for (const auto bad : {"", ".", "a/b", "a b", "u@a", "a:8o", "a..b", "a\\b", "[::1", "[::1]x", "[::1].",
                           "a:123456", "a:98777", "a:80:80", "extra[::1]", "example.com.:1.2", "a\x02"}) {
        INFO(bad);
        CHECK_FALSE(host_name(bad));
    }
}

TEST_CASE("split_absolute_form takes the host and the origin form apart, as nginx reads them", "[target]") {
    const auto split = [](std::string_view target) { return webstack::http::split_absolute_form(target); };
    CHECK_FALSE(split("/a?b").is_absolute_form);
    CHECK_FALSE(split("*").is_absolute_form);
    CHECK_FALSE(split("/redirect?to=http://x/").is_absolute_form);
    CHECK(split("http://other.example/abs?q").form->authority == "other.example");
    CHECK(split("http://other.example/abs?q").form->origin_form == "/abs?q");
    CHECK(split("HTTP://Other.Example:8080/abs").form->authority == "Other.Example:8080");
    CHECK(split("https://x/s").form->origin_form == "/s");
    CHECK(split("http://x").form->origin_form == "/");
    CHECK(split("http://x?q").form->origin_form == "/?q");
    CHECK(split("http://[::1]:80/v6").form->authority == "[::1]:80");
    // nginx 1.22 accepts any scheme here, and refuses these hosts with 400:
    CHECK(split("foo://x/y").form->origin_form == "/y");
    for (const auto bad : {"http:///x", "http://a@b/x", "http://bad_host/x", "http://x:8o/", "http://[::1/"}) {
        INFO(bad);
        CHECK(split(bad).is_absolute_form);
        CHECK_FALSE(split(bad).form);
    }
}

TEST_CASE("percent_decode", "[target]") {
    CHECK(percent_decode("%41%62c") == "Abc");
    CHECK(percent_decode("100%25") == "100%");
    CHECK_FALSE(percent_decode("%"));
    CHECK_FALSE(percent_decode("%00"));
}

TEST_CASE("percent_encode is the way back", "[target]") {
    CHECK(percent_encode("/static/a b.css") == "/static/a%20b.css");
    CHECK(percent_encode("/100%?#\"") == "/100%25%3F%23%22");
    CHECK(percent_encode("/caf\xc3\xa9") == "/caf%C3%A9");
    CHECK(percent_encode("<a>&'", "<>&'") == "%3Ca%3E%26%27");
    CHECK(percent_encode("/keep/-_.~!$()*+,;=:@") == "/keep/-_.~!$()*+,;=:@");
    for (const char* path : {"/a b/c%d", "/\xc3\xa9t\xc3\xa9", "/x?y#z"})
        CHECK(percent_decode(percent_encode(path)) == std::string(path));
}
