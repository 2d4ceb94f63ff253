// Feeds whole byte strings to a parser the way a server does, collecting
// every message (or the first error), so tests read as input -> output.
#pragma once

#include "http/parser.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace webstack::testing {

struct ParsedRequests {
    std::vector<http::Request> requests;
    std::optional<http::ParseError> error;
};

// Feeds `pieces` one after another, taking each complete request.
inline ParsedRequests parse_requests(const std::vector<std::string_view>& pieces, http::ParserLimits limits = {}) {
    http::RequestParser parser(limits);
    ParsedRequests result;
    for (auto piece : pieces) {
        while (!piece.empty()) {
            const auto used = parser.feed(piece);
            piece.remove_prefix(used);
            if (parser.error()) {
                result.error = parser.error();
                return result;
            }
            if (parser.message_complete()) result.requests.push_back(parser.take_request());
            else if (used == 0) break;
        }
    }
    return result;
}

inline ParsedRequests parse_requests(std::string_view bytes, http::ParserLimits limits = {}) {
    return parse_requests(std::vector<std::string_view>{bytes}, limits);
}

}  // namespace webstack::testing
