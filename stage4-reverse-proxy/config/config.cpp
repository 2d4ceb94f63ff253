#include "config/config.hpp"

#include "config/directives.hpp"
#include "config/values.hpp"

#include <set>
#include <thread>

namespace webstack::stage4 {

namespace {

Duration duration_argument(const Directive& directive, std::size_t index = 0) {
    const auto value = parse_duration(directive.arguments.at(index));
    if (!value) invalid_value(directive, directive.arguments[index]);
    return *value;
}

std::uint64_t size_argument(const Directive& directive, std::size_t index = 0) {
    const auto value = parse_size(directive.arguments.at(index));
    if (!value) invalid_value(directive, directive.arguments[index]);
    return *value;
}

int number_argument(const Directive& directive, const std::string& text) {
    const auto value = parse_size(text);  // digits only, without a unit
    if (!value || text.find_first_not_of("0123456789") != std::string::npos || *value > 1'000'000'000)
        invalid_value(directive, text);
    return static_cast<int>(*value);
}

// The address to connect to, worked out once here rather than for each
// request. Only IP addresses and "localhost": we resolve no names (nginx
// asks DNS when it reads the config).
std::optional<asio::ip::tcp::endpoint> endpoint_of(const std::string& host, int port) {
    boost::system::error_code error;
    const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, error);
    if (error) return std::nullopt;
    return asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

// The directives that http, server and location share. Returns false when
// `directive` is not one of them.
bool apply_setting(const Directive& directive, Settings& settings, bool& proxy_headers_set_here) {
    const auto& name = directive.name;
    const auto& arguments = directive.arguments;
    if (name == "client_max_body_size") settings.client_max_body_size = size_argument(directive);
    else if (name == "client_header_timeout") settings.client_header_timeout = duration_argument(directive);
    else if (name == "client_body_timeout") settings.client_body_timeout = duration_argument(directive);
    else if (name == "keepalive_timeout") settings.keepalive_timeout = duration_argument(directive);
    else if (name == "proxy_connect_timeout") settings.proxy_connect_timeout = duration_argument(directive);
    else if (name == "proxy_read_timeout") settings.proxy_read_timeout = duration_argument(directive);
    else if (name == "proxy_send_timeout") settings.proxy_send_timeout = duration_argument(directive);
    else if (name == "underscores_in_headers") settings.underscores_in_headers = on_off_argument(directive);
    else if (name == "large_client_header_buffers") {
        settings.large_client_header_buffers_count = number_argument(directive, arguments[0]);
        settings.large_client_header_buffers_size = size_argument(directive, 1);
        if (settings.large_client_header_buffers_count < 1 || settings.large_client_header_buffers_size < 16)
            invalid_value(directive, arguments[0] + " " + arguments[1]);
    } else if (name == "access_log") {
        if (arguments[0] == "off") {
            if (arguments.size() > 1) throw ConfigError("invalid parameter \"" + arguments[1] + "\"", directive.where);
            settings.access_log.reset();
        } else {
            if (arguments.size() > 2) throw ConfigError("invalid parameter \"" + arguments[2] + "\"", directive.where);
            if (arguments.size() == 2 && arguments[1] != "combined")
                throw ConfigError("unknown log format \"" + arguments[1] + "\"", directive.where);
            settings.access_log = arguments[0];
        }
    } else if (name == "proxy_set_header") {
        // nginx's rule: a level with any proxy_set_header inherits none.
        if (!proxy_headers_set_here) settings.proxy_set_header.clear();
        proxy_headers_set_here = true;
        settings.proxy_set_header.push_back({arguments[0], arguments[1]});
    } else if (name == "proxy_redirect") {
        if (arguments.size() == 2) settings.proxy_redirect = {ProxyRedirect::Mode::Replace, arguments[0], arguments[1]};
        else if (arguments[0] == "default") settings.proxy_redirect = {ProxyRedirect::Mode::Default, "", ""};
        else if (arguments[0] == "off") settings.proxy_redirect = {ProxyRedirect::Mode::Off, "", ""};
        else throw ConfigError("invalid parameter \"" + arguments[0] + "\"", directive.where);
    } else if (name == "proxy_request_buffering") {
        settings.proxy_request_buffering = on_off_argument(directive);
    } else if (name == "proxy_buffering") {
        settings.proxy_buffering = on_off_argument(directive);
    } else if (name == "client_body_buffer_size") {
        settings.client_body_buffer_size = size_argument(directive);
    } else if (name == "proxy_buffer_size") {
        settings.proxy_buffer_size = size_argument(directive);
    } else if (name == "proxy_buffers") {
        settings.proxy_buffers_count = number_argument(directive, arguments[0]);
        settings.proxy_buffers_size = size_argument(directive, 1);
        if (settings.proxy_buffers_count < 2 || settings.proxy_buffers_size == 0)
            invalid_value(directive, arguments[0] + " " + arguments[1]);
    } else if (name == "proxy_next_upstream") {
        Settings::NextUpstream next{false, false, false, false, {}, false};
        for (const auto& value : arguments) {
            if (value == "error") next.error = true;
            else if (value == "timeout") next.timeout = true;
            else if (value == "invalid_header") next.invalid_header = true;
            else if (value == "non_idempotent") next.non_idempotent = true;
            else if (value == "off") next.off = true;
            else if (value == "http_500" || value == "http_502" || value == "http_503" || value == "http_504" ||
                     value == "http_403" || value == "http_404" || value == "http_429")
                next.statuses.push_back(std::stoi(value.substr(5)));
            else invalid_value(directive, value);
        }
        if (next.off && arguments.size() > 1) invalid_value(directive, "off");
        settings.proxy_next_upstream = next;
    } else if (name == "proxy_next_upstream_tries") {
        settings.proxy_next_upstream_tries = number_argument(directive, arguments[0]);
    } else if (name == "proxy_http_version") {
        if (arguments[0] != "1.0" && arguments[0] != "1.1") invalid_value(directive, arguments[0]);
        settings.proxy_http_version = arguments[0];
    } else {
        return false;
    }
    return true;
}

bool is_module_directive(const Config& config, const std::string& name) {
    for (const auto& module : config.modules) {
        if (module.name == name) return true;
    }
    return false;
}

// nginx refuses most settings written twice in one block.
void refuse_duplicates(const std::vector<Directive>& block) {
    static const std::set<std::string> repeatable = {"proxy_set_header", "access_log", "listen", "server_name",
                                                     "server", "location", "upstream", "include"};  // "server" lines in upstream too
    std::set<std::string> seen;
    for (const auto& directive : block) {
        if (repeatable.contains(directive.name)) continue;
        if (!seen.insert(directive.name).second)
            throw ConfigError("\"" + directive.name + "\" directive is duplicate", directive.where);
    }
}

// Applies the shared settings of `block` onto a copy of the parent's, before
// any nested block is read: in nginx, a setting applies to the whole block
// whatever its position.
Settings settings_of(const std::vector<Directive>& block, const Settings& parent, const Config& config) {
    Settings settings = parent;
    bool proxy_headers_set_here = false;
    for (const auto& directive : block) {
        if (is_module_directive(config, directive.name)) settings.module_directives[directive.name] = directive;
        else apply_setting(directive, settings, proxy_headers_set_here);
    }
    return settings;
}

UpstreamServer upstream_server(const Directive& directive) {
    const auto address = parse_host_and_port(directive.arguments[0], 80);
    if (!address) throw ConfigError("invalid host in upstream \"" + directive.arguments[0] + "\"", directive.where);
    const auto endpoint = endpoint_of(address->host, address->port);
    if (!endpoint) throw ConfigError("host not found in upstream \"" + directive.arguments[0] + "\"", directive.where);
    UpstreamServer server{address->host, address->port, *endpoint, 1, 1, Duration(10'000), false, directive.where};
    for (std::size_t i = 1; i < directive.arguments.size(); ++i) {
        const auto& parameter = directive.arguments[i];
        const auto value = parameter.substr(parameter.find('=') + 1);
        if (parameter.starts_with("weight=")) server.weight = number_argument(directive, value);
        else if (parameter.starts_with("max_fails=")) server.max_fails = number_argument(directive, value);
        else if (parameter.starts_with("fail_timeout=")) {
            const auto timeout = parse_duration(value);
            if (!timeout) invalid_value(directive, parameter);
            server.fail_timeout = *timeout;
        } else if (parameter == "backup") server.backup = true;
        else throw ConfigError("invalid parameter \"" + parameter + "\"", directive.where);
        if (server.weight < 1) invalid_value(directive, parameter);
    }
    return server;
}

ProxyPass proxy_pass(const Directive& directive, const Config& config) {
    const auto& url = directive.arguments[0];
    if (!url.starts_with("http://"))
        throw ConfigError("invalid URL prefix in \"" + url + "\" (only http:// is supported)", directive.where);
    const auto rest = url.substr(7);
    const auto slash = rest.find('/');
    const auto host_text = rest.substr(0, slash);
    const auto address = parse_host_and_port(host_text, 80);
    if (!address) throw ConfigError("invalid host in \"" + url + "\"", directive.where);
    ProxyPass pass{address->host, address->port, address->port_given, std::nullopt, nullptr, {}};
    if (slash != std::string::npos) pass.uri = rest.substr(slash);
    for (const auto& upstream : config.upstreams) {
        if (!address->port_given && upstream.name == address->host) pass.upstream = &upstream;
    }
    if (pass.upstream) return pass;
    const auto endpoint = endpoint_of(address->host, address->port);
    if (!endpoint) throw ConfigError("host not found in upstream \"" + host_text + "\"", directive.where);
    pass.endpoint = *endpoint;
    return pass;
}

ReturnDirective return_directive(const Directive& directive) {
    const auto& first = directive.arguments[0];
    if (directive.arguments.size() == 1 && (first.starts_with("http://") || first.starts_with("https://") ||
                                            first.starts_with("$scheme")))
        return {302, first};
    if (first.find_first_not_of("0123456789") != std::string::npos || first.size() > 3)
        throw ConfigError("invalid return code \"" + first + "\"", directive.where);
    return {std::stoi(first), directive.arguments.size() > 1 ? directive.arguments[1] : ""};
}

Location location(const Directive& directive, const Settings& server_settings, const Config& config) {
    Location location;
    location.where = directive.where;
    const auto& arguments = directive.arguments;
    if (arguments.size() == 2) {
        if (arguments[0] != "=")
            throw ConfigError("location modifier \"" + arguments[0] +
                                  "\" is not supported (only \"=\" and prefixes; regular expressions are not part of "
                                  "this stage)",
                              directive.where);
        location.exact = true;
    } else if (arguments[0].starts_with("@")) {
        location.name = arguments[0];
    } else if (!arguments[0].starts_with("/")) {
        throw ConfigError("location \"" + arguments[0] + "\" is not supported (only \"=\", prefixes and @names)",
                          directive.where);
    }
    if (location.name.empty()) location.prefix = arguments.back();
    refuse_duplicates(*directive.block);
    location.settings = settings_of(*directive.block, server_settings, config);
    for (const auto& inner : *directive.block) {
        if (inner.name == "proxy_pass") {
            location.proxy_pass = proxy_pass(inner, config);
            if (!location.name.empty() && location.proxy_pass->uri)
                throw ConfigError("\"proxy_pass\" cannot have URI part in location given by regular expression, or "
                                  "inside named location, or inside \"if\" statement, or inside \"limit_except\" block",
                                  inner.where);
        }
        else if (inner.name == "return") location.return_directive = return_directive(inner);
    }
    return location;
}

Server server(const Directive& directive, const Settings& http_settings, const Config& config) {
    Server server;
    server.where = directive.where;
    refuse_duplicates(*directive.block);
    server.settings = settings_of(*directive.block, http_settings, config);
    std::optional<ReturnDirective> server_return;
    for (const auto& inner : *directive.block) {
        if (inner.name == "listen") {
            auto address = parse_listen(inner.arguments[0]);
            if (!address) throw ConfigError("invalid address \"" + inner.arguments[0] + "\"", inner.where);
            for (std::size_t i = 1; i < inner.arguments.size(); ++i) {
                if (inner.arguments[i] != "default_server")
                    throw ConfigError("invalid parameter \"" + inner.arguments[i] + "\"", inner.where);
                address->default_server = true;
            }
            server.listen.push_back(*address);
        } else if (inner.name == "server_name") {
            server.server_names.insert(server.server_names.end(), inner.arguments.begin(), inner.arguments.end());
        } else if (inner.name == "location") {
            server.locations.push_back(location(inner, server.settings, config));
        } else if (inner.name == "return") {
            server_return = return_directive(inner);
        }
    }
    // nginx's default: a server without listen listens on *:80.
    if (server.listen.empty()) server.listen.push_back({"0.0.0.0", 80, false});
    server.return_directive = server_return;
    return server;
}

void read_http(const Directive& http, Config& config) {
    refuse_duplicates(*http.block);
    for (const auto& inner : *http.block) {
        if (inner.name != "upstream") continue;
        Upstream upstream{inner.arguments[0], {}};
        refuse_duplicates(*inner.block);
        for (const auto& entry : *inner.block) {
            if (entry.name == "least_conn") {
                upstream.least_conn = true;
            } else if (entry.name == "keepalive") {
                upstream.keepalive = number_argument(entry, entry.arguments[0]);
                if (entry.arguments.size() > 1 && entry.arguments[1] != "local")
                    throw ConfigError("invalid parameter \"" + entry.arguments[1] + "\"", entry.where);
            } else {
                upstream.servers.push_back(upstream_server(entry));
            }
        }
        if (upstream.servers.empty()) throw ConfigError("no servers are inside upstream", inner.where);
        for (const auto& other : config.upstreams) {
            if (other.name == upstream.name)
                throw ConfigError("duplicate upstream \"" + upstream.name + "\"", inner.where);
        }
        config.upstreams.push_back(std::move(upstream));
    }
    const Settings http_settings = settings_of(*http.block, Settings{}, config);
    for (const auto& inner : *http.block) {
        if (inner.name == "server") config.servers.push_back(server(inner, http_settings, config));
    }
}

}  // namespace

std::filesystem::path Config::resolve(const std::string& path) const {
    const std::filesystem::path given(path);
    return given.is_absolute() ? given : prefix / given;
}

Config load_config(const std::filesystem::path& file, const std::vector<ModuleDirective>& modules) {
    Config config;
    config.file = std::filesystem::absolute(file).lexically_normal();
    config.prefix = config.file.parent_path();
    config.modules = modules;
    const auto directives = read_config_file(config.file, config.prefix);
    check_directives(directives, modules);
    refuse_duplicates(directives);

    bool has_http = false;
    for (const auto& directive : directives) {
        const auto& arguments = directive.arguments;
        if (directive.name == "worker_processes") {
            config.worker_processes = arguments[0] == "auto" ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))
                                                             : number_argument(directive, arguments[0]);
            if (config.worker_processes < 1 || config.worker_processes > 512) invalid_value(directive, arguments[0]);
        } else if (directive.name == "pid") {
            config.pid = arguments[0];
        } else if (directive.name == "error_log") {
            static const std::set<std::string> levels = {"debug", "info",  "notice", "warn",
                                                         "error", "crit", "alert",  "emerg"};
            config.error_log = arguments[0];
            if (arguments.size() > 1) config.error_log_level = arguments[1];
            if (arguments.size() > 2 || !levels.contains(config.error_log_level))
                throw ConfigError("invalid log level \"" + arguments.back() + "\"", directive.where);
        } else if (directive.name == "events") {
            for (const auto& inner : *directive.block) config.worker_connections = number_argument(inner, inner.arguments[0]);
        } else if (directive.name == "http") {
            read_http(directive, config);
            has_http = true;
        }
    }
    if (!has_http || config.servers.empty())
        throw ConfigError("no \"http\" block with a \"server\" in " + config.file.string() + ": nothing to serve");
    return config;
}

}  // namespace webstack::stage4
