#include "http/target.hpp"

#include <algorithm>

namespace webstack::http {

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string percent_encode(std::string_view text, std::string_view also) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const unsigned char c : text) {
        if (c <= 0x20 || c >= 0x7f || c == '%' || also.find(static_cast<char>(c)) != std::string_view::npos) {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::optional<std::string> percent_decode(std::string_view text, bool reject_encoded_slash) {
    // Most paths have nothing encoded: then the text is the answer.
    if (std::none_of(text.begin(), text.end(), [](char c) { return c == '%' || c == '\0'; })) return std::string(text);
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            if (text[i] == '\0') return std::nullopt;
            decoded += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;  // "%4" at the end
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        const char byte = static_cast<char>(high * 16 + low);
        if (byte == '\0' || (reject_encoded_slash && byte == '/')) return std::nullopt;
        decoded += byte;
        i += 2;
    }
    return decoded;
}

std::optional<std::string> remove_dot_segments(std::string_view path) {
    // Every "." or ".." segment starts with "/.": most paths have none.
    if (path.starts_with('/') && path.find("/.") == std::string_view::npos) return std::string(path);
    // The output is a stack of segments, each written with its "/" in
    // front: ".." pops the last one off, back to its slash.
    std::string result;
    result.reserve(path.size());
    const bool trailing_slash = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    std::size_t start = 1;  // path starts with '/'
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const auto segment = path.substr(start, end - start);
        if (segment == "..") {
            if (result.empty()) return std::nullopt;
            result.erase(result.rfind('/'));
        } else if (segment != "." && !(segment.empty() && end == path.size())) {
            result += '/';
            result += segment;
        }
        start = end + 1;
    }
    if (result.empty() || (trailing_slash && !result.ends_with('/'))) result += '/';
    return result;
}

TargetResult parse_target(std::string_view raw, const TargetOptions& options) {
    if (raw == "*") return {Target{"*", "", "*"}, ""};
    // Absolute form (RFC 9112 section 3.2.2), which proxies receive: keep the path.
    if (raw.starts_with("http://") || raw.starts_with("https://")) {
        const auto authority_start = raw.find("//") + 2;
        const auto path_start = raw.find_first_of("/?", authority_start);
        raw = path_start == std::string_view::npos ? std::string_view("/") : raw.substr(path_start);
        if (raw.starts_with('?')) return parse_target("/" + std::string(raw), options);
    }
    if (!raw.starts_with('/')) return {std::nullopt, "the target must start with /"};

    Target target;
    const auto question = raw.find('?');
    target.raw_path = std::string(raw.substr(0, question));
    if (question != std::string_view::npos) target.query = std::string(raw.substr(question + 1));

    auto decoded = percent_decode(target.raw_path, options.reject_encoded_slash);
    if (!decoded) return {std::nullopt, "bad percent-encoding in the path"};
    auto normalised = remove_dot_segments(*decoded);
    if (!normalised) return {std::nullopt, "the path climbs above the root"};
    target.path = std::move(*normalised);
    return {std::move(target), ""};
}

}  // namespace webstack::http
