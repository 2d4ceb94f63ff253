// Stage 5's decisions in-process, as nginx's not_modified and range
// filters make them: which precondition wins, and what a Range header asks.
#include "catch.hpp"
#include "static/validators.hpp"

using namespace webstack::stage5;
using webstack::http::HeaderList;
using Since = StaticSettings::IfModifiedSince;

namespace {
const FileValidators file{1795428000, make_etag(1795428000, 637)};  // Mon, 23 Nov 2026 10:00:00 GMT, 637 bytes

HeaderList headers(std::initializer_list<std::pair<std::string, std::string>> fields) {
    HeaderList list;
    for (const auto& [name, value] : fields) list.add(name, value);
    return list;
}

std::string describe(Precondition precondition) {
    switch (precondition) {
        case Precondition::Proceed: return "Proceed (200)";
        case Precondition::NotModified: return "NotModified (304)";
        case Precondition::Failed: return "Failed (412)";
    }
    return "?";
}
}  // namespace

TEST_CASE("preconditions: 304 when the client's copy is current, 412 when a condition fails",
          "[stage5][ex.stage5.preconditions]") {
    const std::string date = "Mon, 23 Nov 2026 10:00:00 GMT";
    const std::string later = "Mon, 23 Nov 2026 11:00:00 GMT";
    struct Case {
        std::string what;
        HeaderList request;
        Since since;
        Precondition expected;
    };
    const std::vector<Case> cases = {
        {"no conditions", headers({}), Since::Exact, Precondition::Proceed},
        {"If-None-Match with our ETag", headers({{"If-None-Match", file.etag}}), Since::Exact, Precondition::NotModified},
        {"If-None-Match weak, in a list", headers({{"If-None-Match", "\"x\", W/" + file.etag}}), Since::Exact,
         Precondition::NotModified},
        {"If-None-Match: *", headers({{"If-None-Match", "*"}}), Since::Exact, Precondition::NotModified},
        {"If-None-Match with another ETag", headers({{"If-None-Match", "\"other\""}}), Since::Exact, Precondition::Proceed},
        {"If-Modified-Since, our date exactly", headers({{"If-Modified-Since", date}}), Since::Exact,
         Precondition::NotModified},
        {"If-Modified-Since later, if_modified_since exact", headers({{"If-Modified-Since", later}}), Since::Exact,
         Precondition::Proceed},
        {"If-Modified-Since later, if_modified_since before", headers({{"If-Modified-Since", later}}), Since::Before,
         Precondition::NotModified},
        {"If-Modified-Since, if_modified_since off", headers({{"If-Modified-Since", date}}), Since::Off,
         Precondition::Proceed},
        {"both sent: both must say unchanged", headers({{"If-None-Match", file.etag}, {"If-Modified-Since", later}}),
         Since::Exact, Precondition::Proceed},
        {"If-Match another ETag", headers({{"If-Match", "\"other\""}}), Since::Exact, Precondition::Failed},
        {"If-Match ours", headers({{"If-Match", file.etag}}), Since::Exact, Precondition::Proceed},
        {"If-Unmodified-Since before our date", headers({{"If-Unmodified-Since", "Mon, 23 Nov 2026 09:00:00 GMT"}}),
         Since::Exact, Precondition::Failed},
    };
    for (const auto& [what, request, since, expected] : cases) {
        const auto got = evaluate_preconditions(request, file, since);
        INFO(what << ": expected " << describe(expected) << ", got " << describe(got));
        CHECK(got == expected);
    }
}

TEST_CASE("ranges: what a Range header asks of a 1000-byte file", "[stage5][ex.stage5.ranges]") {
    using Kind = RangeAnswer::Kind;
    const auto ask = [](const std::string& range, std::optional<int> max_ranges = std::nullopt,
                        const std::string& if_range = "") {
        auto request = headers({{"Range", range}});
        if (!if_range.empty()) request.add("If-Range", if_range);
        return evaluate_range(request, 1000, file, max_ranges);
    };
    const auto one = [&](const std::string& range) {
        const auto answer = ask(range);
        INFO(range);
        REQUIRE(answer.kind == Kind::Partial);
        REQUIRE(answer.ranges.size() == 1);
        return std::pair{answer.ranges[0].first, answer.ranges[0].last};
    };
    CHECK(one("bytes=0-99") == std::pair<std::uint64_t, std::uint64_t>{0, 99});
    CHECK(one("bytes=-100") == std::pair<std::uint64_t, std::uint64_t>{900, 999});   // the last 100
    CHECK(one("bytes=990-") == std::pair<std::uint64_t, std::uint64_t>{990, 999});   // to the end
    CHECK(one("bytes=900-5000") == std::pair<std::uint64_t, std::uint64_t>{900, 999});  // cut at the end
    CHECK(ask("bytes=0-9,20-29").ranges.size() == 2);
    CHECK(ask("bytes=1000-").kind == Kind::Unsatisfiable);   // starts past the end: 416
    CHECK(ask("bytes=0-9,1000-").ranges.size() == 1);        // ...but beside a good range it is left out (nginx: 206)
    CHECK(ask("bytes=0-9,-0").ranges.size() == 1);
    CHECK(ask("bytes=0-9,5-2").ranges.size() == 1);
    CHECK(ask("bytes=5-2").kind == Kind::Unsatisfiable);      // nothing left: 416
    CHECK(ask("bytes=0-9,x-2").kind == Kind::Unsatisfiable);  // not a range at all: 416 for the whole header
    CHECK(ask("items=0-9").kind == Kind::Whole);              // not bytes: ignored
    CHECK(ask("bytes=0-9,20-29", 1).kind == Kind::Whole);     // more than max_ranges
    CHECK(ask("bytes=0-9, 5000-", 1).ranges.size() == 1);     // nginx counts only ranges inside the file
    CHECK(ask("bytes=0-9, 5000-6000", 1).ranges.size() == 1);
    CHECK(ask("bytes=0-9, 5-2", 1).ranges.size() == 1);
    CHECK(ask("bytes=0-9", 0).kind == Kind::Whole);           // max_ranges 0: ranges off
    CHECK(ask("bytes=0-9", std::nullopt, "\"other\"").kind == Kind::Whole);  // If-Range: our copy changed
    CHECK(ask("bytes=0-9", std::nullopt, file.etag).kind == Kind::Partial);
}

TEST_CASE("ranges: one item of a Range header", "[stage5][ex.stage5.ranges]") {
    using Kind = RangeItem::Kind;
    const auto read = [](std::string_view item, std::uint64_t size) {
        const auto got = read_range_item(item, size);
        switch (got.kind) {
            case Kind::Invalid: return std::string("invalid");
            case Kind::Skipped: return std::string("skipped");
            case Kind::Range: return std::to_string(got.range.first) + "-" + std::to_string(got.range.last);
        }
        return std::string("?");
    };
    CHECK(read("0-499", 1000) == "0-499");
    CHECK(read("0-0", 1000) == "0-0");            // one byte: both ends are included
    CHECK(read("500-", 1000) == "500-999");       // to the end
    CHECK(read("900-5000", 1000) == "900-999");   // cut at the end
    CHECK(read("999-", 1000) == "999-999");
    CHECK(read("-200", 1000) == "800-999");       // the last 200 bytes
    CHECK(read("-1", 1000) == "999-999");
    CHECK(read("-5000", 1000) == "0-999");        // more than the file: all of it
    CHECK(read(" 10 - 20 ", 1000) == "10-20");    // spaces around the numbers
    CHECK(read("1000-", 1000) == "skipped");      // starts past the end
    CHECK(read("1000-2000", 1000) == "skipped");
    CHECK(read("-0", 1000) == "skipped");         // the last 0 bytes: nothing
    CHECK(read("0-", 0) == "skipped");            // an empty file has no byte 0
    CHECK(read("-5", 0) == "skipped");
    CHECK(read("500-499", 1000) == "skipped");    // last before first: asks for nothing (nginx skips it)
    CHECK(read("2000-1000", 1000) == "skipped");
    CHECK(read("abc", 1000) == "invalid");        // no dash
    CHECK(read("", 1000) == "invalid");
    CHECK(read("1-x", 1000) == "invalid");
    CHECK(read("x-5", 1000) == "invalid");
    CHECK(read("-", 1000) == "invalid");
    CHECK(read("--5", 1000) == "invalid");
}
