#include "http/message_rules.hpp"

#include "http/headers.hpp"
#include "http/serializer.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace webstack::http {

namespace {
bool equals_any(std::string_view name, std::initializer_list<std::string_view> names) {
    return std::any_of(names.begin(), names.end(), [&](std::string_view hop) { return equals_ignoring_case(name, hop); });
}
}  // namespace

std::string protocol(Version version) {
    return "HTTP/" + std::to_string(version.major) + "." + std::to_string(version.minor);
}

std::string request_line(const Request& request) {
    return request.method + " " + request.target + " " + protocol(request.version);
}

bool is_hop_by_hop(std::string_view name, HopByHop rule, std::string_view connection_header) {
    using namespace std::string_view_literals;  // "..."sv: the length is known without counting
    if (equals_any(name, {"Connection"sv, "Keep-Alive"sv, "TE"sv, "Trailer"sv, "Transfer-Encoding"sv, "Upgrade"sv}))
        return true;
    if (rule == HopByHop::Pep3333)
        return equals_any(name, {"Proxy-Authenticate"sv, "Proxy-Authorization"sv, "Trailers"sv});
    if (name.size() >= 6 && equals_ignoring_case(name.substr(0, 6), "Proxy-")) return true;
    return list_contains(connection_header, name);  // "Connection: X-Secret" makes X-Secret hop-by-hop
}

bool expects_100_continue([[maybe_unused]] const Request& request) {
    // BEGIN EXERCISE stage1.continue
    return request.version == Version{1, 1} && request.headers.has_token("Expect", "100-continue");
    // STUB
    // throw std::logic_error("exercise stage1.continue is not done yet (scripts/exercises hint stage1.continue)");
    // END EXERCISE stage1.continue
}

Framing response_framing([[maybe_unused]] const Request& request, [[maybe_unused]] int status,
                         [[maybe_unused]] bool has_content_length) {
    // BEGIN EXERCISE stage1.framing
    if (request.method == "HEAD" || !status_has_body(status)) return Framing::NoBody;
    if (has_content_length) return Framing::ContentLength;
    return request.version == Version{1, 1} ? Framing::Chunked : Framing::UntilClose;
    // STUB
    // throw std::logic_error("exercise stage1.framing is not done yet (scripts/exercises hint stage1.framing)");
    // END EXERCISE stage1.framing
}

std::string escape_html(std::string_view text, bool apostrophe) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'':
                if (apostrophe) out += "&#x27;";
                else out += c;
                break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace webstack::http
