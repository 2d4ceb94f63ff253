#include "proxy/variables.hpp"

#include "http/target.hpp"
#include "proxy/nginx_version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <ctime>
#include <unistd.h>

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

constexpr std::array known_names = {
    "host",           "http_host",      "remote_addr",       "remote_port",   "scheme",
    "request_uri",    "uri",            "args",              "proxy_host",    "proxy_add_x_forwarded_for",
    "request_method", "server_name",    "server_port",       "server_addr",   "server_protocol",
    "is_args",        "query_string",   "document_uri",      "request",       "content_length",
    "content_type",   "request_body",   "request_body_file", "hostname",      "pid",
    "msec",           "time_local",     "time_iso8601",      "nginx_version", "https",
    "connection_requests", "connection", "connection_time", "upstream_addr", "upstream_status",
    "upstream_connect_time", "upstream_header_time", "upstream_response_time", "proxy_port", "binary_remote_addr",
    "upstream_bytes_sent", "upstream_bytes_received", "upstream_response_length",
    // known at the request's end (access_logs.cpp)
    "status", "body_bytes_sent", "request_time", "remote_user"};

// $arg_NAME: the first NAME=value of the query string, as sent (not decoded).
std::string argument_variable(std::string_view name, std::string_view query) {
    while (!query.empty()) {
        const auto end = query.find('&');
        const auto item = query.substr(0, end);
        const auto equals = item.find('=');
        if (http::equals_ignoring_case(item.substr(0, equals), name))
            return std::string(equals == std::string_view::npos ? std::string_view() : item.substr(equals + 1));
        if (end == std::string_view::npos) break;
        query.remove_prefix(end + 1);
    }
    return "";
}

// $cookie_NAME: its value in the Cookie header.
std::string cookie_variable(std::string_view name, const http::HeaderList& headers) {
    const auto cookies = headers.get_combined("Cookie");
    if (!cookies) return "";
    std::string_view rest = *cookies;
    while (!rest.empty()) {
        const auto end = rest.find_first_of(";,");
        auto item = http::trim(rest.substr(0, end));
        const auto equals = item.find('=');
        if (equals != std::string_view::npos && http::equals_ignoring_case(http::trim(item.substr(0, equals)), name))
            return std::string(http::trim(item.substr(equals + 1)));
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
    }
    return "";
}

std::string formatted_time(const char* format) {
    const auto now = std::time(nullptr);
    std::tm local{};
    ::localtime_r(&now, &local);
    char text[64];
    return std::string(text, std::strftime(text, sizeof text, format, &local));
}
}  // namespace

namespace {
std::string seconds_and_millis(long long millis) {
    return std::to_string(millis / 1000) + "." + fmt::format("{:03}", millis % 1000);
}

// $upstream_addr ("127.0.0.1:8000, 127.0.0.1:8001"), $upstream_status
// ("502, 200"), $upstream_connect_time ("0.001, 0.000"), ...: one item per try.
std::string upstream_tries_text(const RequestContext& context, std::string_view name) {
    std::string text;
    for (const auto& tried : context.upstream_tries) {
        if (!text.empty()) text += ", ";
        if (name == "upstream_status") {
            text += tried.status ? std::to_string(tried.status) : std::string("502");
            continue;
        }
        if (name == "upstream_addr") {
            const auto address = tried.endpoint.address();
            text += (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
                    std::to_string(tried.endpoint.port());
            continue;
        }
        if (name == "upstream_bytes_sent" || name == "upstream_bytes_received" || name == "upstream_response_length") {
            text += std::to_string(name == "upstream_bytes_sent"       ? tried.bytes_sent
                                   : name == "upstream_bytes_received" ? tried.bytes_received
                                                                       : tried.response_length);
            continue;
        }
        const auto& time = name == "upstream_connect_time" ? tried.connect_time
                           : name == "upstream_header_time" ? tried.header_time
                                                            : tried.response_time;
        text += time ? seconds_and_millis(time->count()) : std::string("-");
    }
    return text;
}

// The variables of the request itself: its line, its target, its headers, its body.
std::optional<std::string> request_variable(std::string_view name, const RequestContext& context) {
    const http::Request& request = *context.request;
    if (name == "request_uri") return context.request_uri.empty() ? request.target : context.request_uri;
    if (name == "request_method") return request.method;
    if (name == "content_length") return std::string(request.headers.get("Content-Length").value_or(""));
    if (name == "content_type") return std::string(request.headers.get("Content-Type").value_or(""));
    if (name.starts_with("cookie_")) return cookie_variable(name.substr(7), request.headers);
    if (name == "request_body") return context.request_body ? std::string(*context.request_body) : std::string();
    if (name == "request_body_file") return context.request_body_file;
    const std::string protocol =
        "HTTP/" + std::to_string(request.version.major) + "." + std::to_string(request.version.minor);
    if (name == "request")
        return request.method + " " + (context.request_uri.empty() ? request.target : context.request_uri) + " " + protocol;
    if (name == "server_protocol") return protocol;
    const auto parsed = http::parse_target(request.target);
    const std::string path = parsed.target ? parsed.target->path : std::string();  // nginx: none for a refused target
    const std::string query = parsed.target ? parsed.target->query : std::string();
    if (name == "uri" || name == "document_uri") return context.internal_uri.value_or(path);
    if (name == "args" || name == "query_string") return query;
    if (name == "is_args") return std::string(query.empty() ? "" : "?");
    if (name.starts_with("arg_")) return argument_variable(name.substr(4), query);
    return std::nullopt;
}

// The variables of the connection, the server and the moment.
std::optional<std::string> connection_variable(std::string_view name, const RequestContext& context) {
    if (name == "remote_addr") return context.connection.remote_host;
    if (name == "remote_port") return context.connection.remote_port;
    if (name == "binary_remote_addr") {  // the address's bytes: 4 for IPv4, 16 for IPv6
        boost::system::error_code error;
        const auto address = boost::asio::ip::make_address(context.connection.remote_host, error);
        if (error) return std::string();
        if (address.is_v4()) {
            const auto bytes = address.to_v4().to_bytes();
            return std::string(bytes.begin(), bytes.end());
        }
        const auto bytes = address.to_v6().to_bytes();
        return std::string(bytes.begin(), bytes.end());
    }
    if (name == "server_addr") return context.connection.server_host;
    if (name == "server_port") return context.connection.server_port;
    if (name == "server_name") return context.server_name;
    if (name == "scheme") return std::string(context.https ? "https" : "http");
    if (name == "https") return std::string(context.https ? "on" : "");
    if (name == "proxy_host") return context.proxy_host;
    if (name == "connection") return std::to_string(context.connection_number);
    if (name == "connection_requests") return std::to_string(context.connection_requests);
    if (name == "connection_time")
        return seconds_and_millis(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - context.connection_opened).count());
    if (name.starts_with("upstream_")) return upstream_tries_text(context, name);
    if (name == "proxy_port") return context.proxy_port ? std::to_string(context.proxy_port) : std::string();
    if (name == "msec")
        return seconds_and_millis(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch()).count());
    if (name == "time_local") return formatted_time("%d/%b/%Y:%H:%M:%S %z");
    if (name == "time_iso8601") return formatted_time("%Y-%m-%dT%H:%M:%S%z");
    if (name == "nginx_version") return std::string(imitated_nginx_version);
    if (name == "pid") return std::to_string(::getpid());
    if (name == "hostname") {
        char text[256] = {};
        ::gethostname(text, sizeof text - 1);
        return std::string(text);
    }
    return std::nullopt;
}
}  // namespace

namespace {
bool sent_heads_wanted = false;
bool upstream_heads = false;

// A field of the head we sent: its values joined with ", ", as nginx's $sent_http_NAME.
std::string sent_header(std::string_view name, std::string_view head) {
    std::string value;
    for (std::size_t line = head.find("\r\n"); line != std::string_view::npos && line + 2 < head.size();) {
        const auto start = line + 2, end = head.find("\r\n", start);
        const auto field = head.substr(start, end - start);
        line = end;
        const auto colon = field.find(':');
        if (colon == std::string_view::npos) continue;
        std::string field_name = lower(field.substr(0, colon));
        std::replace(field_name.begin(), field_name.end(), '-', '_');
        if (field_name != name) continue;
        if (!value.empty()) value += ", ";
        value += http::trim(field.substr(colon + 1));
    }
    return value;
}
}  // namespace

void RequestContext::begin(const http::Request& next, int number_on_connection) {
    request = &next;
    started = std::chrono::steady_clock::now();
    connection_requests = number_on_connection;
    host.clear();
    proxy_host.clear();
    proxy_port = 0;
    proxy_pass = nullptr;
    access_log = nullptr;
    settings = nullptr;
    error_page_served = false;
    status_override.reset();
    request_body.reset();
    request_body_file.clear();
    upstream_tries.clear();
    upstream_headers = nullptr;
    kept_upstream_headers.reset();
    captures = {};
    set_variables.clear();
    request_uri.clear();
    internal_uri.reset();
    sent_head.clear();
}

void want_sent_heads(bool wanted) { sent_heads_wanted = wanted; }

void want_upstream_heads(bool wanted) { upstream_heads = wanted; }
bool upstream_heads_wanted() { return upstream_heads; }

void remember_sent_head(const RequestContext& context, std::string_view head) {
    if (sent_heads_wanted) context.sent_head.assign(head.substr(0, head.find("\r\n\r\n") + 2));
}

std::optional<std::string> variable_value(std::string_view name, const RequestContext& context) {
    // The common ones first: proxy_set_header asks for them on every request.
    if (name.starts_with("http_")) return header_variable(name.substr(5), context).value_or("");
    if (name.starts_with("sent_http_")) return sent_header(name.substr(10), context.sent_head);
    if (name.starts_with("upstream_http_")) {
        const auto* headers = context.upstream_headers;
        if (!headers) return std::string();
        std::string wanted(name.substr(14));
        std::replace(wanted.begin(), wanted.end(), '_', '-');
        return std::string(headers->get_combined(wanted).value_or(""));
    }
    if (name == "host") return context.host.empty() ? context.server_name : context.host;
    if (name == "proxy_add_x_forwarded_for") {
        const auto forwarded = header_variable("x_forwarded_for", context);
        return forwarded ? *forwarded + ", " + context.connection.remote_host : context.connection.remote_host;
    }
    // What a regular expression captured: $1..$9, $name.
    if (name.size() == 1 && name[0] >= '0' && name[0] <= '9') {
        const auto index = static_cast<std::size_t>(name[0] - '0');
        return index < context.captures.numbered.size() ? context.captures.numbered[index] : std::string();
    }
    for (const auto& [set_name, value] : context.set_variables)
        if (set_name == name) return value;
    if (!context.captures.named.empty())
        if (const auto named = context.captures.named.find(std::string(name)); named != context.captures.named.end())
            return named->second;
    if (auto value = connection_variable(name, context)) return value;
    return request_variable(name, context);
}

bool is_known_variable(std::string_view name, const std::set<std::string>& captures) {
    if (name.size() == 1 && name[0] >= '0' && name[0] <= '9') return true;
    if (captures.contains(std::string(name))) return true;
    for (const std::string_view family : {"http_", "arg_", "cookie_", "sent_http_", "upstream_http_"})
        if (name.starts_with(family)) return true;  // "$arg_" too: nginx's empty-named argument
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
