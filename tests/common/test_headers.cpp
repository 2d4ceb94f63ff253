#include "catch.hpp"

#include "http/headers.hpp"

using webstack::http::HeaderList;
using webstack::http::list_contains;
using webstack::http::split_list;

TEST_CASE("header lookup ignores case and keeps order and repeats", "[headers]") {
    HeaderList headers;
    headers.add("Accept", "text/html");
    headers.add("X-Trace", "1");
    headers.add("accept", "application/json");

    CHECK(headers.size() == 3);
    CHECK(headers.get("ACCEPT") == "text/html");
    CHECK(headers.count("Accept") == 2);
    CHECK(headers.get_combined("accept") == "text/html, application/json");
    CHECK_FALSE(headers.get("Missing"));
    CHECK(headers.begin()->name == "Accept");
    CHECK((headers.begin() + 2)->name == "accept");  // original spelling kept
}

TEST_CASE("set replaces every field of a name and remove deletes them", "[headers]") {
    HeaderList headers;
    headers.add("Vary", "a");
    headers.add("Other", "x");
    headers.add("vary", "b");
    headers.set("VARY", "c");
    CHECK(headers.count("vary") == 1);
    CHECK(headers.get("Vary") == "c");
    headers.remove("other");
    CHECK(headers.size() == 1);
}

TEST_CASE("has_token finds a token in a comma-separated field", "[headers]") {
    HeaderList headers;
    headers.add("Connection", "keep-alive, Upgrade");
    headers.add("Connection", "CLOSE");
    CHECK(headers.has_token("connection", "upgrade"));
    CHECK(headers.has_token("Connection", "close"));
    CHECK_FALSE(headers.has_token("Connection", "keep"));
}

TEST_CASE("list_contains looks for a whole element of a list, ignoring case and blanks", "[headers]") {
    CHECK(list_contains("keep-alive, Upgrade", "upgrade"));
    CHECK(list_contains(" gzip ,chunked", "GZIP"));
    CHECK(list_contains("a,,b", ""));
    CHECK_FALSE(list_contains("keep-alive", "keep"));
    CHECK_FALSE(list_contains("", "close"));
    CHECK_FALSE(list_contains("close-ish, closed", "close"));
}

TEST_CASE("split_list trims elements and keeps empty ones", "[headers]") {
    const auto parts = split_list(" gzip ,chunked,, ");
    REQUIRE(parts.size() == 4);
    CHECK(parts[0] == "gzip");
    CHECK(parts[1] == "chunked");
    CHECK(parts[2].empty());
    CHECK(parts[3].empty());
}
