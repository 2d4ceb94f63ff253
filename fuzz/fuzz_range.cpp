// libFuzzer target: Range, If-Range and the other validators of a static
// file. Properties: no crash; a partial answer's ranges lie inside the file,
// each first <= last.
#include "http/headers.hpp"
#include "static/validators.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace webstack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::uint64_t file_size = data[0] * 97u + data[1];  // 0 .. ~25 KB
    const std::optional<int> max_ranges = data[2] % 4 == 0 ? std::nullopt : std::optional<int>(data[2] % 8);
    const std::string text(reinterpret_cast<const char*>(data + 3), size - 3);
    // The text holds up to four header values, separated by newlines.
    const char* names[] = {"Range", "If-Range", "If-None-Match", "If-Modified-Since"};
    http::HeaderList headers;
    std::size_t start = 0;
    for (const char* name : names) {
        const auto end = std::min(text.find('\n', start), text.size());
        headers.add(name, text.substr(start, end - start));
        if (end >= text.size()) break;
        start = end + 1;
    }
    const stage5::FileValidators file{1795428000, "\"6b040ea0-a\""};
    stage5::evaluate_preconditions(headers, file, stage5::StaticSettings::IfModifiedSince::Exact);
    const auto answer = stage5::evaluate_range(headers, file_size, file, max_ranges);
    for (const auto& range : answer.ranges) {
        if (range.first > range.last || range.last >= file_size) __builtin_trap();
    }
    return 0;
}
