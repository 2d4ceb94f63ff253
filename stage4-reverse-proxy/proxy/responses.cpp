#include "proxy/responses.hpp"

#include "http/message_rules.hpp"
#include "http/serializer.hpp"
#include "http/target.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>

namespace webstack::stage4 {

namespace {
// nginx still uses the older names for some statuses (RFC 2616's).
std::string nginx_reason(int status) {
    switch (status) {
        case 408: return "Request Time-out";
        case 413: return "Request Entity Too Large";
        case 414: return "Request-URI Too Large";
        case 504: return "Gateway Time-out";
        case 301: return "Moved Permanently";
        case 302: return "Moved Temporarily";
        case 405: return "Not Allowed";
        case 416: return "Requested Range Not Satisfiable";
        default: return std::string(http::reason_phrase(status));
    }
}
}  // namespace

http::Response error_page(int status, bool keep_alive) {
    http::Response response;
    response.status = status;
    response.reason = nginx_reason(status);
    response.keep_alive = keep_alive;
    std::string title = std::to_string(status) + " " + response.reason;
    std::string detail;
    if (status == 494) {
        // nginx's internal code for a header too large: sent as 400.
        response.status = 400;
        response.reason = nginx_reason(400);
        title = "400 Request Header Or Cookie Too Large";
        detail = "<center>Request Header Or Cookie Too Large</center>\r\n";
    }
    response.headers.add("Content-Type", "text/html");
    response.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" +
                    std::to_string(response.status) + " " + response.reason +
                    "</h1></center>\r\n" + detail + "<hr><center>" + server_header + "</center>\r\n</body>\r\n</html>\r\n";
    return response;
}

namespace {
// nginx adds its fields to these answers only, unless `always`.
bool adds_headers_to(int status) {
    switch (status) {
        case 200: case 201: case 204: case 206: case 301: case 302: case 303: case 304: case 307: case 308:
            return true;
        default: return false;
    }
}

template <typename Add>
void for_each_added_header(int status, const RequestContext& context, Add add) {
    if (!context.settings) return;
    for (const auto& header : context.settings->add_header) {
        if (!header.always && !adds_headers_to(status)) continue;
        auto value = expand_variables(header.value, context);
        if (!value.empty()) add(header.name, std::move(value));
    }
}
}  // namespace

void append_added_headers(std::string& head, int status, const RequestContext& context) {
    for_each_added_header(status, context, [&](const std::string& name, std::string value) {
        http::append_field(head, name, value);
    });
}

void add_added_headers(http::HeaderList& headers, int status, const RequestContext& context) {
    for_each_added_header(status, context, [&](const std::string& name, std::string value) {
        headers.add(name, std::move(value));
    });
}

std::string with_charset(std::string_view content_type, const Settings* settings) {
    if (!settings || settings->charset.empty() || content_type.find("charset=") != std::string_view::npos)
        return std::string(content_type);
    const auto type = http::trim(content_type.substr(0, content_type.find(';')));
    for (const auto& listed : settings->charset_types) {
        if (listed == "*" || http::equals_ignoring_case(listed, type))
            return std::string(content_type) + "; charset=" + settings->charset;
    }
    return std::string(content_type);
}

std::string absolute_location(std::string location, const RequestContext& context) {
    const Settings* settings = context.settings;
    if (!settings || !settings->absolute_redirect || !location.starts_with('/')) return location;
    // The server_name, else the request's host, else (no valid Host) our own address.
    const auto& own = context.connection.server_host;
    std::string host = settings->server_name_in_redirect ? context.server_name
                       : !context.host.empty()           ? context.host
                       : own.find(':') != std::string::npos ? "[" + own + "]"
                                                           : own;
    const auto& port = context.connection.server_port;
    if (settings->port_in_redirect && port != (context.https ? "443" : "80")) host += ":" + port;
    return (context.https ? "https://" : "http://") + host + location;
}

http::Response return_response(const ReturnDirective& directive, const RequestContext& context, bool keep_alive) {
    const int code = directive.code;
    const bool redirect = code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    if (code >= 400 && directive.text.empty()) return error_page(code, keep_alive);
    http::Response response;
    response.status = code;
    response.keep_alive = keep_alive;
    const std::string text = expand_variables(directive.text, context);
    if (redirect) {
        response.headers.add("Location", text);
        if (text.empty()) return response;
        auto page = error_page(code, keep_alive);  // nginx shows its small page under a redirect too
        page.headers.add("Location", text);
        return page;
    }
    response.headers.add("Content-Type", "text/plain");
    response.body = text;
    return response;
}

namespace {
bool replaced_by(const std::vector<HeaderSetting>& settings, std::string_view name) {
    for (const auto& setting : settings) {
        if (http::equals_ignoring_case(setting.name, name)) return true;
    }
    return false;
}
}  // namespace

std::string upstream_target(const Location& location, const http::Request& request, const ProxyPass* made) {
    const auto& pass = made ? *made : *location.proxy_pass;
    if (!pass.uri) return request.target;
    if (!pass.variable_url.empty()) return *pass.uri;  // nginx: with variables, the URI as written replaces it all
    const auto parsed = http::parse_target(request.target);
    if (!parsed.target) return request.target;
    const auto& path = parsed.target->path;
    const std::string rest = location.exact || path.size() < location.prefix.size() ? "" : path.substr(location.prefix.size());
    std::string target = *pass.uri + http::percent_encode(rest);
    if (!parsed.target->query.empty()) target += "?" + parsed.target->query;
    return target;
}

std::string upstream_request_head(const http::Request& request, const Location& location,
                                  const RequestContext& context, std::optional<std::size_t> body_length,
                                  bool keep_connection, bool chunked_body) {
    const auto& settings = location.settings;
    const auto& set_headers = settings.proxy_set_header;
    const std::string method = settings.proxy_method.empty() ? request.method
                                                             : expand_variables(settings.proxy_method, context);
    std::string head = method + " " + upstream_target(location, request, context.proxy_pass) + " HTTP/" + settings.proxy_http_version + "\r\n";
    const auto add = [&head](std::string_view name, std::string_view value) {
        if (value.empty()) return;  // nginx: a header set to "" is not sent
        http::append_field(head, name, value);
    };
    // nginx's defaults: Host $proxy_host, and "Connection: close" unless the
    // connection is kept (before nginx 1.29.7: HTTP/1.0 and "Connection:
    // close" always; current nginx speaks HTTP/1.1 and keeps connections).
    if (!replaced_by(set_headers, "Host")) add("Host", context.proxy_host);
    if (!replaced_by(set_headers, "Connection") && (!keep_connection || settings.proxy_http_version == "1.0"))
        add("Connection", "close");
    for (const auto& setting : set_headers) add(setting.name, expand_variables(setting.value, context));
    if (body_length) add("Content-Length", std::to_string(*body_length));
    else if (chunked_body) add("Transfer-Encoding", "chunked");
    if (!settings.proxy_pass_request_headers) {  // none of the client's own
        head += "\r\n";
        return head;
    }
    // The client's own headers, each through add(name, value).
    // BEGIN EXERCISE stage4.upstream_head
    const auto connection = request.headers.get_combined("Connection").value_or("");
    for (const auto& field : request.headers) {
        if (http::equals_ignoring_case(field.name, "Host") || http::equals_ignoring_case(field.name, "Content-Length") ||
            http::equals_ignoring_case(field.name, "Expect") ||
            http::is_hop_by_hop(field.name, http::HopByHop::Nginx, connection) || replaced_by(set_headers, field.name))
            continue;
        if (!settings.underscores_in_headers && field.name.find('_') != std::string::npos) continue;
        add(field.name, field.value);
    }
    // STUB
    // throw std::logic_error("exercise stage4.upstream_head is not done yet (scripts/exercises hint stage4.upstream_head)");
    // END EXERCISE stage4.upstream_head
    head += "\r\n";
    return head;
}

namespace {
// "$1/x" with $1..$9 from `captures` (the rest of the variables stay).
std::string with_captures(const std::string& text, const Captures& captures) {
    std::string out;
    for (std::size_t at = 0; at < text.size(); ++at) {
        if (text[at] == '$' && at + 1 < text.size() && text[at + 1] >= '1' && text[at + 1] <= '9') {
            const auto index = static_cast<std::size_t>(text[++at] - '0');
            if (index < captures.numbered.size()) out += captures.numbered[index];
            continue;
        }
        out += text[at];
    }
    return out;
}

// proxy_redirect: the upstream says "Location: http://app_server/x"; the
// client must be sent somewhere it can reach.
std::string rewrite_redirect(const std::string& value, const Location& location, const RequestContext& context) {
    if (!location.proxy_pass) return value;
    for (const auto& rule : location.settings.proxy_redirect) {
        if (rule.regex) {
            // "~^(.+)/old/(.*)" "$1/new/$2": the whole value is replaced.
            Captures captures;
            if (!rule.regex->match(value, &captures)) continue;
            return expand_variables(with_captures(rule.to, captures), context);
        }
        std::string from, to;
        if (rule.mode == ProxyRedirect::Mode::Default) {
            // `proxy_redirect default` is `proxy_redirect http://PROXY_HOST/URI LOCATION`.
            const auto& pass = context.proxy_pass ? *context.proxy_pass : *location.proxy_pass;
            from = "http://" + pass.proxy_host() + pass.uri.value_or(location.prefix);
            to = location.prefix;
        } else {
            from = expand_variables(rule.from, context);
            to = expand_variables(rule.to, context);
        }
        if (!from.empty() && value.starts_with(from)) return to + value.substr(from.size());
    }
    return value;
}
}  // namespace

void append_headers_for_client(std::string& head, const http::HeaderList& upstream_headers, const Location& location,
                               const RequestContext& context, bool compressing) {
    const auto connection = upstream_headers.get_combined("Connection").value_or("");
    const auto& settings = location.settings;
    const auto listed = [](const std::vector<std::string>& names, std::string_view name) {
        return std::any_of(names.begin(), names.end(),
                           [name](const std::string& listed) { return http::equals_ignoring_case(listed, name); });
    };
    for (const auto& field : upstream_headers) {
        if (http::is_hop_by_hop(field.name, http::HopByHop::Nginx, connection) ||
            http::equals_ignoring_case(field.name, "Server") ||
            http::equals_ignoring_case(field.name, "Date") || http::equals_ignoring_case(field.name, "Content-Length") ||
            listed(settings.proxy_hide_header, field.name))
            continue;
        // nginx hides these unless proxy_pass_header names them.
        const bool hidden_by_default = http::equals_ignoring_case(field.name, "X-Pad") ||
                                       (field.name.size() >= 8 && http::equals_ignoring_case(field.name.substr(0, 8), "X-Accel-"));
        if (hidden_by_default && !listed(settings.proxy_pass_header, field.name)) continue;
        if (compressing && http::equals_ignoring_case(field.name, "Accept-Ranges")) continue;
        if (compressing && http::equals_ignoring_case(field.name, "ETag") && !field.value.starts_with("W/")) {
            http::append_field(head, field.name, "W/" + field.value);
            continue;
        }
        if (http::equals_ignoring_case(field.name, "Location")) {
            http::append_field(head, field.name, absolute_location(rewrite_redirect(field.value, location, context), context));
            continue;
        }
        if (http::equals_ignoring_case(field.name, "Content-Type")) {
            http::append_field(head, field.name, with_charset(field.value, context.settings));
            continue;
        }
        if (http::equals_ignoring_case(field.name, "Refresh")) {
            // "5; url=http://app_server/x": the address is what follows "url=".
            auto at = field.value.find("url=");
            if (at == std::string::npos) at = field.value.find("URL=");
            if (at == std::string::npos) http::append_field(head, field.name, field.value);
            else
                http::append_field(head, field.name,
                                   field.value.substr(0, at + 4) +
                                       rewrite_redirect(field.value.substr(at + 4), location, context));
            continue;
        }
        http::append_field(head, field.name, field.value);
    }
}

}  // namespace webstack::stage4
