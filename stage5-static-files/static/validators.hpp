// HTTP caching and partial content for files (RFC 9110 sections 8.8, 13
// and 14), as nginx's not_modified and range filters do them:
//   - validators: Last-Modified (the file's mtime) and an ETag built from
//     mtime and size, "5f1c2a3b-1a2b" in hex, like nginx's;
//   - preconditions: If-Match / If-Unmodified-Since fail with 412;
//     If-None-Match / If-Modified-Since give 304 when the client's copy is
//     current (both must agree when both are sent);
//   - Range: "bytes=0-99", "bytes=-500", "bytes=100-", several at once.
#pragma once

#include "http/headers.hpp"
#include "static/settings.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webstack::stage5 {

// nginx's ETag: "<mtime in hex>-<size in hex>", quoted.
std::string make_etag(std::time_t mtime, std::uint64_t size);

// The Last-Modified header's value for a file's mtime.
const std::string& format_last_modified(std::time_t mtime);

// RFC 9110's three date forms (IMF-fixdate, RFC 850, asctime); nullopt if none fits.
std::optional<std::time_t> parse_http_date(std::string_view text);

// What the preconditions of a request say about a file.
enum class Precondition { Proceed, NotModified, Failed };

struct FileValidators {
    std::time_t mtime = 0;
    std::string etag;  // empty when `etag off`
};

Precondition evaluate_preconditions(const http::HeaderList& headers, const FileValidators& file,
                                    StaticSettings::IfModifiedSince if_modified_since);

// One byte range, both ends included, as Content-Range writes it.
struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t length() const { return last - first + 1; }
};

struct RangeAnswer {
    enum class Kind { Whole, Partial, Unsatisfiable } kind = Kind::Whole;
    std::vector<ByteRange> ranges;  // Partial only
};

// One item of a Range header, "0-499", "500-" or "-200", against a file
// of `size` bytes (RFC 9110 section 14.1.2, as nginx reads it). Spaces
// around the numbers are allowed (" 10 - 20 "); parse_number(), above the
// function in validators.cpp, reads the digits.
//   "0-499"   bytes 0 to 499, both included; a last byte past the end is cut to size-1
//   "500-"    from byte 500 to the end
//   "-200"    the last 200 bytes (the whole file when it has fewer)
// Invalid: not a range at all (no "-", a side that is not digits, "-"
// alone); the whole header is then answered 416. Skipped: a range that
// asks for nothing of this file (it starts at or past the end, its last
// byte is before its first, a suffix "-0", or the file is empty); it is
// left out, and only when every item is left out is the answer 416.
struct RangeItem {
    enum class Kind { Range, Skipped, Invalid } kind = Kind::Invalid;
    ByteRange range;  // Range only
};
RangeItem read_range_item(std::string_view item, std::uint64_t size);

// Reads the Range header (and If-Range) against a file of `size` bytes.
// Whole: send the whole file (no Range, not "bytes=", If-Range does not
// match, more ranges than max_ranges, or ranges adding up to more than the
// file, nginx's guard against overlapping ranges). Unsatisfiable: 416.
RangeAnswer evaluate_range(const http::HeaderList& headers, std::uint64_t size, const FileValidators& file,
                           std::optional<int> max_ranges);

}  // namespace webstack::stage5
