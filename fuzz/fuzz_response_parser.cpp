// libFuzzer target: the proxy's response parser (what an upstream sends
// back), fed in pieces. Property: it never crashes, whatever the upstream sends.
#include "http/parser.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t step = 1 + data[0] % 32;
    std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    webstack::http::ResponseParser parser;
    if (data[0] & 0x80) parser.expect_response_to("HEAD");
    while (!bytes.empty()) {
        const auto piece = bytes.substr(0, step);
        const auto used = parser.feed(piece);
        if (parser.error()) return 0;
        if (parser.message_complete()) {
            parser.take_response();
            parser.expect_response_to("GET");
        } else if (used < piece.size()) {
            return 0;  // nothing more will be taken
        }
        bytes.remove_prefix(used);
    }
    parser.finish();
    return 0;
}
