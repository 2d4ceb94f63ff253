// libFuzzer target: the request parser, fed the same bytes twice, whole and
// in pieces cut where the input's first bytes say. Properties: it never
// crashes (ASan, UBSan), and the cut never changes the result: the same
// requests, or an error in both, for both line-end policies.
#include "http/parser.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {
using webstack::http::LineEnds;
using webstack::http::RequestParser;

struct Outcome {
    std::vector<std::string> requests;  // method, target, headers, body of each
    bool error = false;
    bool operator==(const Outcome&) const = default;
};

std::string describe(const webstack::http::Request& request) {
    std::string text = request.method + " " + request.target + "\n";
    for (const auto& field : request.headers) text += field.name + ":" + field.value + "\n";
    for (const auto& field : request.trailers) text += field.name + ":" + field.value + "\n";
    return text + "\n" + request.body;
}

Outcome parse(std::string_view bytes, const std::vector<std::size_t>& cuts, LineEnds line_ends) {
    webstack::http::ParserLimits limits;
    limits.line_ends = line_ends;
    RequestParser parser(limits);
    Outcome outcome;
    std::size_t start = 0;
    for (std::size_t index = 0; index <= cuts.size(); ++index) {
        const std::size_t end = index < cuts.size() ? cuts[index] : bytes.size();
        auto piece = bytes.substr(start, end - start);
        start = end;
        while (!piece.empty()) {
            const auto used = parser.feed(piece);
            piece.remove_prefix(used);
            if (parser.error()) {
                outcome.error = true;
                return outcome;
            }
            if (parser.message_complete()) outcome.requests.push_back(describe(parser.take_request()));
            else if (used == 0) break;
        }
    }
    return outcome;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    // The first two bytes choose where to cut the rest: every `step` bytes.
    const std::size_t step = 1 + data[0] % 16;
    const auto line_ends = data[1] % 2 ? LineEnds::CrlfOrLf : LineEnds::CrlfOnly;
    const std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);
    std::vector<std::size_t> cuts;
    for (std::size_t at = step; at < bytes.size(); at += step) cuts.push_back(at);

    const auto whole = parse(bytes, {}, line_ends);
    const auto in_pieces = parse(bytes, cuts, line_ends);
    if (!(whole == in_pieces)) __builtin_trap();  // a cut changed what the parser read
    return 0;
}
