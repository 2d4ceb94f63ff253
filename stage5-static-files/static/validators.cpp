#include "static/validators.hpp"

#include "http/serializer.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace webstack::stage5 {

std::string make_etag(std::time_t mtime, std::uint64_t size) {
    // fmt::format("\"{:x}-{:x}\"", mtime, size) says the same; this runs
    // for every file answer, and to_chars costs a tenth of it.
    const auto hex = [](std::string& out, std::uint64_t value) {
        char digits[16];  // 64 bits are 16 hex digits
        out.append(digits, std::to_chars(digits, digits + sizeof digits, value, 16).ptr);
    };
    std::string etag = "\"";
    hex(etag, static_cast<std::uint64_t>(mtime));
    etag += '-';
    hex(etag, size);
    etag += '"';
    return etag;
}

const std::string& format_last_modified(std::time_t mtime) {
    // Most requests are for a few files: remember the last date formatted.
    static std::time_t last_mtime = -1;
    static std::string last_text;
    if (mtime != last_mtime) {
        last_text = http::format_http_date(std::chrono::system_clock::from_time_t(mtime));
        last_mtime = mtime;
    }
    return last_text;
}

namespace {
// timegm() without the C library's time-zone machinery (it costs more than
// the rest of the parse): days since 1970-01-01 by Howard Hinnant's
// "days_from_civil", then the time of day.
std::time_t seconds_since_epoch(const std::tm& parts) {
    const int month = parts.tm_mon + 1;
    const int year = parts.tm_year + 1900 - (month <= 2 ? 1 : 0);
    const int era = (year >= 0 ? year : year - 399) / 400;
    const int year_of_era = year - era * 400;
    const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + parts.tm_mday - 1;
    const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    const long long days = static_cast<long long>(era) * 146097 + day_of_era - 719468;
    return static_cast<std::time_t>(days * 86400 + parts.tm_hour * 3600 + parts.tm_min * 60 + parts.tm_sec);
}

// IMF-fixdate, the form every current client sends: "Sun, 06 Nov 1994
// 08:49:37 GMT", fixed width. Read by hand: strptime() compares names
// through the locale and costs more than the rest of a 304.
std::optional<std::time_t> parse_imf_fixdate(std::string_view text) {
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' || text[11] != ' ' ||
        text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT")
        return std::nullopt;
    const auto number = [&](std::size_t at, std::size_t digits) -> int {
        int value = 0;
        for (std::size_t i = at; i < at + digits; ++i) {
            if (text[i] < '0' || text[i] > '9') return -1;
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    const auto month = months.find(text.substr(8, 3));
    std::tm parts{};
    parts.tm_mday = number(5, 2);
    parts.tm_year = number(12, 4) - 1900;
    parts.tm_hour = number(17, 2);
    parts.tm_min = number(20, 2);
    parts.tm_sec = number(23, 2);
    if (month == std::string_view::npos || month % 3 != 0 || parts.tm_mday < 1 || parts.tm_mday > 31 ||
        parts.tm_year < 70 || parts.tm_hour < 0 || parts.tm_hour > 23 || parts.tm_min < 0 || parts.tm_min > 59 ||
        parts.tm_sec < 0 || parts.tm_sec > 60)
        return std::nullopt;
    parts.tm_mon = static_cast<int>(month / 3);
    return seconds_since_epoch(parts);
}
}  // namespace

std::optional<std::time_t> parse_http_date(std::string_view text) {
    if (const auto fast = parse_imf_fixdate(text)) return fast;
    static constexpr const char* formats[] = {
        "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT
        "%a %b %e %H:%M:%S %Y",       // asctime:     Sun Nov  6 08:49:37 1994
    };
    const std::string copy(text);
    for (const char* format : formats) {
        std::tm parts{};
        const char* end = ::strptime(copy.c_str(), format, &parts);
        if (end && *end == '\0') return seconds_since_epoch(parts);
    }
    return std::nullopt;
}

namespace {

// Does the list in an If-Match / If-None-Match header name our ETag?
// Weak comparison ignores a "W/" on either side; strong comparison never
// matches a weak tag (we only make strong ones).
[[maybe_unused]]  // (in a learner's tree only the stub of stage5.preconditions is there to use it)
bool etag_list_matches(std::string_view list, const std::string& etag, bool weak) {
    if (http::trim(list) == "*") return true;
    if (etag.empty()) return false;
    for (auto candidate : http::split_list(list)) {
        if (candidate.starts_with("W/")) {
            if (!weak) continue;
            candidate.remove_prefix(2);
        }
        if (candidate == etag) return true;
    }
    return false;
}

}  // namespace

Precondition evaluate_preconditions([[maybe_unused]] const http::HeaderList& headers,
                                    [[maybe_unused]] const FileValidators& file,
                                    [[maybe_unused]] StaticSettings::IfModifiedSince if_modified_since) {
    // BEGIN EXERCISE stage5.preconditions
    // 412 first: the client wanted to act only on the version it knew.
    if (const auto since = headers.get("If-Unmodified-Since")) {
        const auto date = parse_http_date(*since);
        if (date && file.mtime > *date) return Precondition::Failed;
    }
    if (const auto match = headers.get("If-Match")) {
        if (!etag_list_matches(*match, file.etag, false)) return Precondition::Failed;
    }
    // 304: the client's copy is current, by every validator it sent.
    const auto modified_since = headers.get("If-Modified-Since");
    const auto none_match = headers.get("If-None-Match");
    if (!modified_since && !none_match) return Precondition::Proceed;
    if (modified_since) {
        if (if_modified_since == StaticSettings::IfModifiedSince::Off) return Precondition::Proceed;
        // Usually the client sends back our own Last-Modified, byte for
        // byte: that is the file's date, no parsing needed.
        if (*modified_since != format_last_modified(file.mtime)) {
            const auto date = parse_http_date(*modified_since);
            if (!date) return Precondition::Proceed;
            const bool current = if_modified_since == StaticSettings::IfModifiedSince::Exact ? *date == file.mtime
                                                                                              : *date >= file.mtime;
            if (!current) return Precondition::Proceed;
        }
    }
    if (none_match && !etag_list_matches(*none_match, file.etag, true)) return Precondition::Proceed;
    return Precondition::NotModified;
    // STUB
    // throw std::logic_error("exercise stage5.preconditions is not done yet (scripts/exercises hint stage5.preconditions)");
    // END EXERCISE stage5.preconditions
}

namespace {

// A decimal number of at most 18 digits (no overflow), or nullopt.
[[maybe_unused]] std::optional<std::uint64_t> parse_number(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::uint64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

// Does If-Range (an ETag or a date) still describe the file?
bool if_range_holds(std::string_view value, const FileValidators& file) {
    value = http::trim(value);
    if (value.starts_with('"') || value.starts_with("W/")) return !file.etag.empty() && value == file.etag;
    const auto date = parse_http_date(value);
    return date && *date == file.mtime;
}

}  // namespace

RangeItem read_range_item([[maybe_unused]] std::string_view item, [[maybe_unused]] std::uint64_t size) {
    // BEGIN EXERCISE stage5.ranges
    using Kind = RangeItem::Kind;
    const auto dash = item.find('-');
    if (dash == std::string_view::npos) return {Kind::Invalid, {}};
    const auto first_text = http::trim(item.substr(0, dash));
    const auto last_text = http::trim(item.substr(dash + 1));
    if (first_text.empty()) {  // "-200": the last 200 bytes
        const auto suffix = parse_number(last_text);
        if (!suffix) return {Kind::Invalid, {}};
        if (*suffix == 0 || size == 0) return {Kind::Skipped, {}};
        return {Kind::Range, {*suffix >= size ? 0 : size - *suffix, size - 1}};
    }
    const auto first = parse_number(first_text);
    if (!first) return {Kind::Invalid, {}};
    if (last_text.empty()) {  // "500-": to the end
        if (*first >= size) return {Kind::Skipped, {}};
        return {Kind::Range, {*first, size - 1}};
    }
    const auto last = parse_number(last_text);
    if (!last) return {Kind::Invalid, {}};
    if (*last < *first || *first >= size) return {Kind::Skipped, {}};
    return {Kind::Range, {*first, std::min(*last, size - 1)}};
    // STUB
    // throw std::logic_error("exercise stage5.ranges is not done yet (scripts/exercises hint stage5.ranges)");
    // END EXERCISE stage5.ranges
}

RangeAnswer evaluate_range(const http::HeaderList& headers, std::uint64_t size, const FileValidators& file,
                           std::optional<int> max_ranges) {
    const auto header = headers.get("Range");
    if (!header || (max_ranges && *max_ranges == 0)) return {};
    std::string_view spec = http::trim(*header);
    if (spec.size() < 6 || strncasecmp(spec.data(), "bytes=", 6) != 0) return {};  // another unit: ignored
    if (const auto if_range = headers.get("If-Range"); if_range && !if_range_holds(*if_range, file)) return {};
    spec.remove_prefix(6);

    RangeAnswer answer{RangeAnswer::Kind::Partial, {}};
    std::uint64_t total = 0;
    for (const auto item : http::split_list(spec)) {
        const auto read = read_range_item(item, size);
        if (read.kind == RangeItem::Kind::Invalid) return {RangeAnswer::Kind::Unsatisfiable, {}};
        if (read.kind == RangeItem::Kind::Skipped) continue;  // as nginx does
        total += read.range.length();
        answer.ranges.push_back(read.range);
    }
    if (max_ranges && answer.ranges.size() > static_cast<std::size_t>(*max_ranges)) return {};
    if (answer.ranges.empty() && size == 0) return {};  // nginx: an empty file is sent whole (200)
    if (answer.ranges.empty()) return {RangeAnswer::Kind::Unsatisfiable, {}};
    if (total > size && answer.ranges.size() > 1) return {};  // overlapping ranges: the whole file instead
    return answer;
}

}  // namespace webstack::stage5
