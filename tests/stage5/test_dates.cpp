// HTTP dates, read by stage 5's own parser (validators.cpp), against the C
// library's timegm() for every day of several years, leap years included,
// and the two older forms RFC 9110 still asks servers to read.
#include "catch.hpp"
#include "static/validators.hpp"

#include <ctime>

using webstack::stage5::parse_http_date;

TEST_CASE("IMF-fixdate: every day from 1999 to 2041 agrees with timegm", "[stage5]") {
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm start{};
    start.tm_year = 99;
    start.tm_mday = 1;
    const std::time_t first = ::timegm(&start);
    for (std::time_t when = first; when < first + 43L * 366 * 86400; when += 86400 + 3661) {
        std::tm parts{};
        ::gmtime_r(&when, &parts);
        char text[64];
        std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[parts.tm_wday], parts.tm_mday,
                      months[parts.tm_mon], parts.tm_year + 1900, parts.tm_hour, parts.tm_min, parts.tm_sec);
        INFO(text);
        REQUIRE(parse_http_date(text) == when);
    }
}

TEST_CASE("the older date forms, and what is not a date", "[stage5]") {
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == 784111777);
    CHECK(parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT") == 1709208000);
    CHECK_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
    CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
    CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"));
    CHECK_FALSE(parse_http_date("yesterday"));
    CHECK_FALSE(parse_http_date(""));
}
