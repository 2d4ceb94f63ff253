#include "http/target.hpp"

#include <algorithm>
#include <cctype>

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

namespace {
bool is_scheme(std::string_view text) {
    if (text.empty() || !std::isalpha(static_cast<unsigned char>(text.front()))) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
}

// "host", "host:port", "[::1]:8080".
bool is_authority(std::string_view text) {
    std::size_t port_colon;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        const auto inside = text.substr(1, close - 1);
        // An IPv6 address, or RFC 3986's IPvFuture ("v1.x!y"): letters, digits and "-._~!$&'()*+,;=:".
        if (!std::all_of(inside.begin(), inside.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-._~!$&'()*+,;=:").find(c) != std::string_view::npos;
            }))
            return false;
        port_colon = close + 1;
        if (port_colon < text.size() && text[port_colon] != ':') return false;
    } else {
        port_colon = std::min(text.find(':'), text.size());
        const auto host = text.substr(0, port_colon);
        if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
            }))
            return false;
    }
    const auto port = port_colon < text.size() ? text.substr(port_colon + 1) : std::string_view();
    return std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::optional<std::string> host_name(std::string_view host) {
    if (host.find("..") != std::string_view::npos) return std::nullopt;
    const bool bad_byte = std::any_of(host.begin(), host.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte <= 0x20 || byte == 0x7f || c == '/' || c == '\\' || c == '@';
    });
    if (bad_byte) return std::nullopt;
    // The name ends at the "]" of an IPv6 literal, else at the first ":".
    std::size_t name_end;
    if (host.starts_with('[')) {
        name_end = host.find(']');
        if (name_end == std::string_view::npos) return std::nullopt;
        ++name_end;
    } else {
        name_end = std::min(host.find(':'), host.size());
        if (host.substr(0, name_end).find('[') != std::string_view::npos) return std::nullopt;
    }
    if (name_end < host.size()) {
        if (host[name_end] != ':') return std::nullopt;  // "[::1]x", "[::1]."
        const auto port = host.substr(name_end + 1);     // "a:" has an empty port: nginx lets it pass
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            (port.size() == 5 && port > "65535"))
            return std::nullopt;
    }
    auto name = host.substr(0, name_end);
    if (name.ends_with('.')) name.remove_suffix(1);  // "example.com." is "example.com"
    if (name.empty()) return std::nullopt;
    std::string lowered(name);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lowered;
}

AbsoluteFormResult split_absolute_form(std::string_view target) {
    const auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos || !is_scheme(target.substr(0, scheme_end))) return {};
    const auto authority_start = scheme_end + 3;
    const auto authority_end = std::min(target.find_first_of("/?", authority_start), target.size());
    const auto authority = target.substr(authority_start, authority_end - authority_start);
    if (!is_authority(authority)) return {true, std::nullopt};
    std::string origin_form(target.substr(authority_end));
    if (!origin_form.starts_with('/')) origin_form.insert(0, "/");
    return {true, AbsoluteForm{std::string(authority), std::move(origin_form)}};
}

TargetResult parse_target(std::string_view raw, const TargetOptions& options) {
    if (raw == "*") return {Target{"*", "", "*"}, ""};
    // Absolute form, which proxies receive: keep the path.
    if (const auto absolute = split_absolute_form(raw); absolute.is_absolute_form) {
        if (!absolute.form) return {std::nullopt, "invalid host in the request target"};
        return parse_target(absolute.form->origin_form, options);
    }
    if (!raw.starts_with('/')) return {std::nullopt, "the target must start with /"};
    // A fragment ("#top") is the browser's business and never sent; when it
    // is, servers drop it (RFC 3986 section 3.5), as nginx and http.server do.
    raw = raw.substr(0, raw.find('#'));

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
