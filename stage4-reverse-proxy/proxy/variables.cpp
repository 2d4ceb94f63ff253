#include "proxy/variables.hpp"

#include "http/target.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace webstack::stage4 {

namespace {
bool is_name_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// $http_user_agent names the header User-Agent: dashes became underscores.
std::optional<std::string> header_variable(std::string_view name, const RequestContext& context) {
    std::optional<std::string> value;
    for (const auto& field : context.request->headers) {
        if (!context.underscores_in_headers && field.name.find('_') != std::string::npos) continue;
        std::string as_variable = lower(field.name);
        std::replace(as_variable.begin(), as_variable.end(), '-', '_');
        if (as_variable != name) continue;
        value = value ? *value + ", " + field.value : field.value;
    }
    return value;
}

constexpr std::array known_names = {"host",        "http_host",   "remote_addr",    "remote_port",
                                    "scheme",      "request_uri", "uri",            "args",
                                    "proxy_host",  "proxy_add_x_forwarded_for",     "request_method",
                                    "server_name", "server_port"};
}  // namespace

std::optional<std::string> variable_value(std::string_view name, const RequestContext& context) {
    const http::Request& request = *context.request;
    if (name.starts_with("http_")) return header_variable(name.substr(5), context).value_or("");
    if (name == "http_host") return std::string(request.headers.get("Host").value_or(""));
    if (name == "host") {
        // nginx's headers_in.server: the host of an absolute-form target wins over Host.
        const auto host = context.target_host.empty() ? request.headers.get("Host")
                                                      : std::optional<std::string_view>(context.target_host);
        if (!host || host->empty()) return context.server_name;
        // "[::1]:8080" keeps its brackets; "example.com:8080" loses the port.
        const auto end = host->front() == '[' ? host->find(']') + 1 : host->find(':');
        return lower(host->substr(0, end));
    }
    if (name == "remote_addr") return context.connection.remote_host;
    if (name == "remote_port") return context.connection.remote_port;
    if (name == "server_port") return context.connection.server_port;
    if (name == "server_name") return context.server_name;
    if (name == "scheme") return std::string("http");
    if (name == "request_uri") return request.target;
    if (name == "request_method") return request.method;
    if (name == "proxy_host") return context.proxy_host;
    const auto parsed = http::parse_target(request.target);
    if (name == "uri") return parsed.target ? parsed.target->path : request.target;
    if (name == "args") return parsed.target ? parsed.target->query : std::string();
    if (name == "proxy_add_x_forwarded_for") {
        const auto forwarded = header_variable("x_forwarded_for", context);
        return forwarded ? *forwarded + ", " + context.connection.remote_host : context.connection.remote_host;
    }
    return std::nullopt;
}

bool is_known_variable(std::string_view name) {
    if (name.starts_with("http_") && name.size() > 5) return true;
    return std::find(known_names.begin(), known_names.end(), name) != known_names.end();
}

namespace {
// Calls found(name) for each variable in `text` and copy(piece) for the rest.
template <typename Found, typename Copy>
void scan(std::string_view text, Found found, Copy copy) {
    for (std::size_t at = 0; at < text.size();) {
        const auto dollar = text.find('$', at);
        copy(text.substr(at, dollar == std::string_view::npos ? std::string_view::npos : dollar - at));
        if (dollar == std::string_view::npos) return;
        std::size_t start = dollar + 1, end = start;
        if (start < text.size() && text[start] == '{') {
            end = text.find('}', start);
            if (end == std::string_view::npos) end = text.size();
            found(text.substr(start + 1, end - start - 1));
            at = end + 1;
            continue;
        }
        while (end < text.size() && is_name_character(text[end])) ++end;
        if (end == start) copy("$");
        else found(text.substr(start, end - start));
        at = end;
    }
}
}  // namespace

std::string expand_variables(std::string_view text, const RequestContext& context) {
    std::string out;
    scan(
        text, [&](std::string_view name) { out += variable_value(name, context).value_or(""); },
        [&](std::string_view piece) { out += piece; });
    return out;
}

std::vector<std::string> variables_in(std::string_view text) {
    std::vector<std::string> names;
    scan(
        text, [&](std::string_view name) { names.emplace_back(name); }, [](std::string_view) {});
    return names;
}

}  // namespace webstack::stage4
