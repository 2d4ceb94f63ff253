// The directives real deployments write that tune nginx itself rather than
// the proxying: Debian's stock nginx.conf, Certbot's lines, Gunicorn's
// deployment example. Some change what we do (daemon, user,
// worker_rlimit_nofile, the temporary folders, keepalive_requests,
// keepalive_time); the others size nginx's own memory (its hash tables and
// pools) or pick its event method, which we do not have, or hide a version
// we never show (server_tokens: our Server header is "webstack"): those are
// accepted, their values checked as nginx checks them, and nothing more
// (stage4-reverse-proxy/README.md lists which).
#include "config/directive_table.hpp"
#include "config/values.hpp"
#include "http/headers.hpp"

namespace webstack::stage4 {

namespace {

// Checked and kept nowhere: a size, or on/off.
DirectiveSpec accepted_size(std::string name, unsigned contexts, std::size_t arguments = 1) {
    return {std::move(name), contexts, arguments, arguments, false, false, in::Main,
            [](const Directive& directive, Level&) {
                for (std::size_t i = 0; i < directive.arguments.size(); ++i) (void)size_argument(directive, i);
            }};
}
DirectiveSpec accepted_on_off(std::string name, unsigned contexts) {
    return {std::move(name), contexts, 1, 1, false, false, in::Main,
            [](const Directive& directive, Level&) { (void)on_off_argument(directive); }};
}

// `client_body_temp_path PATH [LEVEL1 [LEVEL2 [LEVEL3]]]`: the folder for
// bodies too large for memory. Our files have no names (body_buffer.hpp),
// so the levels that spread named files over subfolders change nothing.
DirectiveSpec temp_path_row(std::string name, std::string Settings::*field) {
    return {std::move(name), in::http_server_location, 1, 4, false, false, in::Main,
            [field](const Directive& directive, Level& level) {
                for (std::size_t i = 1; i < directive.arguments.size(); ++i) {
                    const auto& digits = directive.arguments[i];
                    if (digits.empty() || digits.size() > 2 || digits.find_first_not_of("12") != std::string::npos)
                        invalid_value(directive, digits);
                }
                level.settings.*field = level.config.resolve(directive.arguments[0]).string();
            }};
}

// nginx's charset filter labels answers; converting between charsets
// (source_charset, charset_map, override_charset on) is not done here.
[[noreturn]] void refuse_conversion(const Directive& directive) {
    throw ConfigError("\"" + directive.name + "\" converts between charsets, which is not implemented (a Django "
                      "app answers in UTF-8 already)", directive.where);
}

// `resolver ADDRESS[:PORT]... [valid=TIME] [ipv6=on|off] [status_zone=NAME]`.
void store_resolver(const Directive& directive, Level& level) {
    auto& settings = level.settings;
    settings.resolver.clear();
    for (const auto& argument : directive.arguments) {
        if (argument.starts_with("valid=")) {
            const auto value = parse_duration(argument.substr(6));
            if (!value) invalid_value(directive, argument);
            settings.resolver_valid = *value;
        } else if (argument.starts_with("ipv6=")) {
            if (argument != "ipv6=on" && argument != "ipv6=off") invalid_value(directive, argument);
            // we ask for A records only: IPv4 addresses
        } else if (argument.starts_with("status_zone=")) {
        } else {
            const auto address = parse_host_and_port(argument, 53);
            boost::system::error_code error;
            const auto ip = address ? asio::ip::make_address(address->host.starts_with('[')
                                                                 ? address->host.substr(1, address->host.size() - 2)
                                                                 : address->host, error)
                                    : asio::ip::address();
            if (!address || error)
                throw ConfigError("invalid resolver address \"" + argument + "\" (an IP address, as nginx needs one)",
                                  directive.where);
            settings.resolver.emplace_back(ip, static_cast<unsigned short>(address->port));
        }
    }
    if (settings.resolver.empty()) throw ConfigError("no name servers defined in \"resolver\"", directive.where);
}

void check_server_tokens(const Directive& directive, Level&) {
    const auto& value = directive.arguments[0];
    if (value != "on" && value != "off" && value != "build") invalid_value(directive, value);
}

}  // namespace

const std::vector<DirectiveSpec>& deployment_directives() {
    constexpr unsigned anywhere = in::http_server_location;
    static const std::vector<DirectiveSpec> table = {
        // main: read by config.cpp
        {"daemon", in::Main, 1, 1, false, false, in::Main, {}},
        {"user", in::Main, 1, 2, false, false, in::Main, {}},
        {"worker_rlimit_nofile", in::Main, 1, 1, false, false, in::Main, {}},
        {"load_module", in::Main, 1, 1, true, false, in::Main, {}},
        accepted_on_off("pcre_jit", in::Main),
        accepted_on_off("master_process", in::Main),
        // events: our workers wait with epoll, accept in turn from one
        // queue, and take every ready connection (nginx's multi_accept on)
        accepted_on_off("accept_mutex", in::Events),
        accepted_on_off("multi_accept", in::Events),
        {"use", in::Events, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level&) {
             if (directive.arguments[0] != "epoll") invalid_value(directive, directive.arguments[0]);
         }},
        // nginx's hash tables and memory pools: sizes for its own memory
        accepted_size("server_names_hash_bucket_size", in::Http),
        accepted_size("server_names_hash_max_size", in::Http),
        accepted_size("types_hash_bucket_size", anywhere),
        accepted_size("types_hash_max_size", anywhere),
        accepted_size("variables_hash_bucket_size", in::Http),
        accepted_size("variables_hash_max_size", in::Http),
        accepted_size("proxy_headers_hash_bucket_size", anywhere),
        accepted_size("proxy_headers_hash_max_size", anywhere),
        accepted_size("connection_pool_size", in::Http | in::Server),
        accepted_size("request_pool_size", in::Http | in::Server),
        // the socket options nginx sets: we always send with TCP_NODELAY, and
        // sendfile is stage 5's own directive
        accepted_on_off("tcp_nopush", anywhere),
        accepted_on_off("tcp_nodelay", anywhere),
        {"log_not_found", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) { level.settings.log_not_found = on_off_argument(directive); }},
        {"keepalive_disable", anywhere, 1, 2, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             level.settings.keepalive_disable.clear();
             for (const auto& value : directive.arguments) {
                 if (value != "none" && value != "msie6" && value != "safari") invalid_value(directive, value);
                 if (value != "none") level.settings.keepalive_disable.insert(value);
             }
         }},
        // what changes our behaviour
        temp_path_row("client_body_temp_path", &Settings::client_body_temp_path),
        temp_path_row("proxy_temp_path", &Settings::proxy_temp_path),
        {"server_tokens", anywhere, 1, 1, false, false, in::Main, check_server_tokens},
        {"keepalive_requests", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             level.settings.keepalive_requests = number_argument(directive, directive.arguments[0]);
         }},
        {"keepalive_time", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) { level.settings.keepalive_time = duration_argument(directive); }},
        {"charset", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             const auto& value = directive.arguments[0];
             level.settings.charset = value == "off" ? "" : value;
         }},
        {"charset_types", anywhere, 1, many, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             level.settings.charset_types = directive.arguments;
             level.settings.charset_types.push_back("text/html");  // nginx's: always
         }},
        {"source_charset", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             // The same as `charset` (or off): nothing to convert.
             const auto& value = directive.arguments[0];
             if (value != "off" && !http::equals_ignoring_case(value, level.settings.charset)) refuse_conversion(directive);
         }},
        {"override_charset", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level&) {
             if (on_off_argument(directive)) refuse_conversion(directive);
         }},
        {"charset_map", in::Http, 2, 2, true, true, in::Types,  // its lines are pairs of codes, as a types block's
         [](const Directive& directive, Level&) { refuse_conversion(directive); }},
        {"resolver", anywhere, 1, many, false, false, in::Main, store_resolver},
        {"resolver_timeout", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) { level.settings.resolver_timeout = duration_argument(directive); }},
        {"client_header_buffer_size", in::Http | in::Server, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             level.settings.client_header_buffer_size = size_argument(directive);
             if (level.settings.client_header_buffer_size == 0) invalid_value(directive, directive.arguments[0]);
         }},
    };
    return table;
}

}  // namespace webstack::stage4
