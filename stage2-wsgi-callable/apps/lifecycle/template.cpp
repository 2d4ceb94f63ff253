#include "template.hpp"

#include "http/message_rules.hpp"

namespace lifecycle {

// Django escapes what a template prints; so do we, with the escaping the
// servers use (common/http).
std::string escape(std::string_view text) { return webstack::http::escape_html(text); }

std::string render(std::string_view source, const std::map<std::string, std::string>& context) {
    std::string out;
    while (true) {
        const auto open = source.find("{{");
        const auto close = open == std::string_view::npos ? open : source.find("}}", open);
        if (close == std::string_view::npos) break;
        out += source.substr(0, open);
        std::string_view name = source.substr(open + 2, close - open - 2);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        const bool safe = name.ends_with("|safe");
        if (safe) name.remove_suffix(5);
        const auto value = context.find(std::string(name));
        if (value != context.end()) out += safe ? value->second : escape(value->second);
        source.remove_prefix(close + 2);
    }
    out += source;
    return out;
}

}  // namespace lifecycle
