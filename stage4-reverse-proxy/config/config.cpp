#include "config/config.hpp"

#include "config/directive_table.hpp"
#include "config/values.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <thread>
#include <unistd.h>

namespace webstack::stage4 {

namespace {

// The address to connect to, worked out once here rather than for each
// request. Only IP addresses and "localhost": we resolve no names (nginx
// asks DNS when it reads the config).
std::optional<asio::ip::tcp::endpoint> endpoint_of(const std::string& host, int port) {
    boost::system::error_code error;
    const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, error);
    if (error) return std::nullopt;
    return asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

UpstreamServer upstream_server(const Directive& directive) {
    const auto address = parse_host_and_port(directive.arguments[0], 80);
    if (!address) throw ConfigError("invalid host in upstream \"" + directive.arguments[0] + "\"", directive.where);
    const auto endpoint = endpoint_of(address->host, address->port);
    if (!endpoint) throw ConfigError("host not found in upstream \"" + directive.arguments[0] + "\"", directive.where);
    UpstreamServer server{address->host, address->port, *endpoint, 1, 1, Duration(10'000), false, false, directive.where};
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
        else if (parameter == "down") server.down = true;
        else throw ConfigError("invalid parameter \"" + parameter + "\"", directive.where);
        if (server.weight < 1) invalid_value(directive, parameter);
    }
    return server;
}

ProxyPass proxy_pass(const Directive& directive, const Config& config) {
    const auto& url = directive.arguments[0];
    if (!url.starts_with("http://"))
        throw ConfigError("invalid URL prefix in \"" + url + "\" (only http:// is supported)", directive.where);
    if (url.find('$') != std::string::npos) {
        ProxyPass pass;
        pass.variable_url = url;
        for (const auto& upstream : config.upstreams) pass.upstream_blocks.push_back(&upstream);
        return pass;
    }
    const auto rest = url.substr(7);
    const auto slash = rest.find('/');
    const auto host_text = rest.substr(0, slash);
    const auto address = parse_host_and_port(host_text, 80);
    if (!address) throw ConfigError("invalid host in \"" + url + "\"", directive.where);
    ProxyPass pass{address->host, address->port, address->port_given, std::nullopt, nullptr, {}, {}, {}};
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

// One parameter of `listen ADDRESS [default_server] [backlog=N] ...`.
void read_listen_parameter(const Directive& directive, std::size_t index, ListenAddress& address) {
    const auto& parameter = directive.arguments[index];
    const auto value = parameter.substr(parameter.find('=') + 1);
    const auto size = [&] {
        const auto parsed = parse_size(value);
        if (!parsed || *parsed == 0) invalid_value(directive, parameter);
        return *parsed;
    };
    if (parameter == "default_server" || parameter == "default") address.default_server = true;
    else if (parameter.starts_with("backlog=")) address.backlog = number_argument(directive, value);
    else if (parameter.starts_with("rcvbuf=")) address.rcvbuf = size();
    else if (parameter.starts_with("sndbuf=")) address.sndbuf = size();
    else if (parameter == "deferred") address.deferred = true;
    else if (parameter == "reuseport") address.reuseport = true;
    else if (parameter == "ssl") {
#ifndef WEBSTACK_HAVE_OPENSSL
        throw ConfigError("\"listen ... ssl\" needs OpenSSL, which this build lacks (install libssl-dev: "
                          "scripts/install-deps, then build again)", directive.where);
#endif
        address.ssl = true;
    } else if (parameter == "http2") address.http2 = true;
    // Accepted: the address is bound as written anyway (bind), nginx's
    // defaults suit us (ipv6only=on, so_keepalive off).
    else if (parameter == "bind" || parameter.starts_with("ipv6only=") || parameter.starts_with("so_keepalive=")) {}
    else throw ConfigError("invalid parameter \"" + parameter + "\"", directive.where);
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

// `if (CONDITION)`: the words between the parentheses, as nginx reads them
// ("($a", "=", "b)" or "(", "$a", ")").
RewriteCondition if_condition(const Directive& directive) {
    std::vector<std::string> words = directive.arguments;
    const auto invalid = [&]() -> ConfigError {
        return ConfigError("invalid condition \"" + directive.arguments.front() + "\"", directive.where);
    };
    if (!words.front().starts_with('(') || !words.back().ends_with(')')) throw invalid();
    words.back().pop_back();  // a lone ")" leaves an empty word: dropped (an empty "" compared with stays)
    if (words.back().empty()) words.pop_back();
    if (words.empty()) throw invalid();
    words.front().erase(0, 1);
    if (words.front().empty()) words.erase(words.begin());
    RewriteCondition condition;
    if (words.empty()) throw invalid();
    if (words[0].starts_with('-') || words[0].starts_with("!-"))
        throw ConfigError("\"if (" + words[0] + " ...)\" tests files, which is not implemented here (use try_files)",
                          directive.where);
    if (!words[0].starts_with('$')) throw invalid();
    condition.subject = words[0];
    if (words.size() == 1) return condition;
    if (words.size() != 3) throw invalid();
    const auto& op = words[1];
    if (op == "=" || op == "!=") {
        condition.kind = op == "=" ? RewriteCondition::Kind::Equals : RewriteCondition::Kind::NotEquals;
        condition.value = words[2];
    } else if (op == "~" || op == "~*" || op == "!~" || op == "!~*") {
        condition.kind = op.starts_with('!') ? RewriteCondition::Kind::NotMatches : RewriteCondition::Kind::Matches;
        condition.regex = Regex::compile(words[2], op.ends_with('*'), directive.where);
    } else {
        throw ConfigError("unexpected \"" + op + "\" in condition", directive.where);
    }
    return condition;
}

// One statement of the rewrite module: set, rewrite, return, break, if.
RewriteStep rewrite_step(const Directive& directive) {
    RewriteStep step;
    step.where = directive.where;
    const auto& arguments = directive.arguments;
    if (directive.name == "set") {
        step.kind = RewriteStep::Kind::Set;
        if (!arguments[0].starts_with('$') || arguments[0].size() < 2)
            throw ConfigError("invalid variable name \"" + arguments[0] + "\"", directive.where);
        step.variable = arguments[0].substr(1);
        step.value = arguments[1];
    } else if (directive.name == "rewrite") {
        step.kind = RewriteStep::Kind::Rewrite;
        step.regex = Regex::compile(arguments[0], false, directive.where);
        step.value = arguments[1];
        if (arguments.size() == 3) {
            const auto& flag = arguments[2];
            if (flag == "last") step.flag = RewriteStep::Flag::Last;
            else if (flag == "break") step.flag = RewriteStep::Flag::Break;
            else if (flag == "redirect") step.flag = RewriteStep::Flag::Redirect;
            else if (flag == "permanent") step.flag = RewriteStep::Flag::Permanent;
            else throw ConfigError("invalid parameter \"" + flag + "\"", directive.where);
        }
    } else if (directive.name == "return") {
        step.kind = RewriteStep::Kind::Return;
        step.returned = return_directive(directive);
    } else if (directive.name == "break") {
        step.kind = RewriteStep::Kind::Break;
    } else {
        step.kind = RewriteStep::Kind::If;
        step.condition = if_condition(directive);
        for (const auto& inner : *directive.block) step.steps.push_back(rewrite_step(inner));
    }
    return step;
}

bool is_rewrite_statement(const std::string& name) {
    return name == "set" || name == "rewrite" || name == "return" || name == "break" || name == "if";
}

// One word of `server_name`, with nginx's checks: a "*" only as a whole
// first or last label ("*.example.com", "mail.*"), a "~" before a regular
// expression.
ServerName server_name(const std::string& word, const SourceLocation& where) {
    ServerName name;
    name.text = word;
    if (word.starts_with('~')) {
        name.kind = ServerName::Kind::Regex;
        name.regex = Regex::compile(word.substr(1), true, where);
        return name;
    }
    name.key = word;
    std::transform(name.key.begin(), name.key.end(), name.key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto star = name.key.find('*');
    if (name.key.starts_with("*.") && star == 0 && name.key.find('*', 1) == std::string::npos) {
        name.kind = ServerName::Kind::LeadingWildcard;
        name.key.erase(0, 1);  // "*.example.com" -> ".example.com"
    } else if (name.key.ends_with(".*") && star == name.key.size() - 1) {
        name.kind = ServerName::Kind::TrailingWildcard;
        name.key.pop_back();  // "mail.*" -> "mail."
    } else if (star != std::string::npos || name.key == ".") {
        throw ConfigError("invalid server name or wildcard \"" + word + "\"", where);
    } else if (name.key.starts_with('.')) {
        name.kind = ServerName::Kind::LeadingWildcard;  // ".example.com": example.com and *.example.com
    }
    return name;
}

// Reads the blocks of http into the Config, with the directive table.
struct Reader {
    const DirectiveTable& table;
    const ConfigModule* module;
    Config& config;

    // One block's settings: a copy of the outer block's (nginx's
    // inheritance) with what this block writes stored over it, whatever
    // the position of nested blocks (a setting applies to its whole block).
    Settings settings_of(const std::vector<Directive>& block, in::Context context, const Settings& parent,
                         const Location* location) {
        Settings settings = parent;
        Level level{settings, location, config, {}};
        table.store_settings(block, context, level);
        return settings;
    }
    Location location(const Directive& directive, const Settings& outer_settings, const Location* parent);
    Server server(const Directive& directive, const Settings& http_settings);
    void read_http(const Directive& http);
};

namespace {
// `location [= | ^~ | ~ | ~*] PATTERN` (the modifier may be glued to the
// pattern, as nginx allows: `location ~*\.png$`): sets the kind of match.
void read_location_modifier(const Directive& directive, Location& location) {
    const auto& arguments = directive.arguments;
    std::string modifier = arguments.size() == 2 ? arguments[0] : "";
    std::string pattern = arguments.back();
    if (arguments.size() == 1) {
        for (const std::string glued : {"^~", "~*", "=", "~"}) {
            if (pattern.size() > glued.size() && pattern.starts_with(glued)) {
                modifier = glued;
                pattern = pattern.substr(glued.size());
                break;
            }
        }
    }
    if (modifier.empty() && pattern.starts_with("@")) {
        location.name = pattern;
        return;
    }
    location.prefix = pattern;
    if (modifier == "=") location.exact = true;
    else if (modifier == "^~") location.no_regex = true;
    else if (modifier == "~" || modifier == "~*") location.regex = Regex::compile(pattern, modifier == "~*", directive.where);
    else if (!modifier.empty()) throw ConfigError("invalid location modifier \"" + modifier + "\"", directive.where);
}

// nginx's rules for a location inside another.
void check_nesting(const Directive& directive, const Location& inner, const Location* parent) {
    const auto where = directive.where;
    if (!parent) return;
    if (!inner.name.empty())
        throw ConfigError("named location \"" + inner.name + "\" can be on the server level only", where);
    if (parent->exact)
        throw ConfigError("location \"" + inner.prefix + "\" cannot be inside the exact location \"" + parent->prefix +
                          "\"", where);
    if (!parent->name.empty())
        throw ConfigError("location \"" + inner.prefix + "\" cannot be inside the named location \"" + parent->name +
                          "\"", where);
    if (!inner.regex && !parent->regex && !inner.prefix.starts_with(parent->prefix))
        throw ConfigError("location \"" + inner.prefix + "\" is outside location \"" + parent->prefix + "\"", where);
}
}  // namespace

Location Reader::location(const Directive& directive, const Settings& outer_settings, const Location* parent) {
    Location location;
    location.where = directive.where;
    read_location_modifier(directive, location);
    check_nesting(directive, location, parent);
    location.settings = settings_of(*directive.block, in::Location, outer_settings, &location);
    for (const auto& inner : *directive.block) {
        if (inner.name == "proxy_pass") {
            location.proxy_pass = proxy_pass(inner, config);
            if ((!location.name.empty() || location.regex) && location.proxy_pass->uri)
                throw ConfigError("\"proxy_pass\" cannot have URI part in location given by regular expression, or "
                                  "inside named location, or inside \"if\" statement, or inside \"limit_except\" block",
                                  inner.where);
        }
        else if (is_rewrite_statement(inner.name)) location.rewrites.push_back(rewrite_step(inner));
        else if (inner.name == "location") location.locations.push_back(this->location(inner, location.settings, &location));
    }
    return location;
}

Server Reader::server(const Directive& directive, const Settings& http_settings) {
    Server server;
    server.where = directive.where;
    server.settings = settings_of(*directive.block, in::Server, http_settings, nullptr);
    for (const auto& inner : *directive.block) {
        if (inner.name == "listen") {
            auto address = parse_listen(inner.arguments[0]);
            if (!address) throw ConfigError("invalid address \"" + inner.arguments[0] + "\"", inner.where);
            for (std::size_t i = 1; i < inner.arguments.size(); ++i) read_listen_parameter(inner, i, *address);
            if (address->http2)
                config.warnings.push_back("HTTP/2 is not implemented: clients of " + address->text() +
                                          " are answered in HTTP/1.1 (ALPN offers http/1.1 only), in " + inner.where.text());
            server.listen.push_back(*address);
        } else if (inner.name == "server_name") {
            for (const auto& word : inner.arguments) server.server_names.push_back(server_name(word, inner.where));
        } else if (inner.name == "location") {
            server.locations.push_back(location(inner, server.settings, nullptr));
        } else if (is_rewrite_statement(inner.name)) {
            server.rewrites.push_back(rewrite_step(inner));
        }
    }
    if (server.server_names.empty()) server.server_names.push_back({});  // nginx's server_name ""
    // nginx's default: a server without listen listens on *:80.
    if (server.listen.empty()) server.listen.push_back({"0.0.0.0", 80, false});
    return server;
}

void Reader::read_http(const Directive& http) {
    for (const auto& inner : *http.block) {
        if (inner.name != "upstream") continue;
        Upstream upstream{inner.arguments[0], {}};
        for (const auto& entry : *inner.block) {
            if (entry.name == "least_conn") {
                upstream.least_conn = true;
            } else if (entry.name == "keepalive_requests") {
                upstream.keepalive_requests = number_argument(entry, entry.arguments[0]);
            } else if (entry.name == "keepalive_time") {
                upstream.keepalive_time = duration_argument(entry);
            } else if (entry.name == "keepalive_timeout") {
                upstream.keepalive_timeout = duration_argument(entry);
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
    Settings outermost;
    outermost.access_log = {{"/dev/stdout", config.log_formats.at("combined"), ""}};
    if (module && module->defaults) outermost.module = ModuleSettingsSlot(module->defaults(config));
    const Settings http_settings = settings_of(*http.block, in::Http, outermost, nullptr);
    for (const auto& inner : *http.block) {
        if (inner.name == "server") config.servers.push_back(server(inner, http_settings));
    }
}

}  // namespace

namespace {
// A main-level directive that sets a value (worker_processes, daemon, user,
// pid, error_log, ...); false for the blocks (events, http).
bool read_main_directive(const Directive& directive, Config& config) {
    const auto& arguments = directive.arguments;
if (directive.name == "worker_processes") {
        config.worker_processes = arguments[0] == "auto" ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))
                                                         : number_argument(directive, arguments[0]);
        if (config.worker_processes < 1 || config.worker_processes > 512) invalid_value(directive, arguments[0]);
    } else if (directive.name == "daemon") {
        config.daemon = on_off_argument(directive);
    } else if (directive.name == "user") {
        // nginx's own words when it cannot switch users.
        if (::geteuid() != 0)
            config.warnings.push_back("the \"user\" directive makes sense only if the master process runs with "
                                      "super-user privileges, ignored in " + directive.where.text());
        config.user = arguments[0];
        config.group = arguments.size() > 1 ? arguments[1] : arguments[0];
    } else if (directive.name == "worker_rlimit_nofile") {
        config.worker_rlimit_nofile = number_argument(directive, arguments[0]);
    } else if (directive.name == "load_module") {
        throw ConfigError("load_module \"" + arguments[0] + "\": this server has no dynamic modules "
                          "(everything it has is built in: see -V)", directive.where);
    } else if (directive.name == "pid") {
        config.pid = arguments[0];
    } else if (directive.name == "error_log") {
        static const std::set<std::string> levels = {"debug", "info",  "notice", "warn",
                                                     "error", "crit", "alert",  "emerg"};
        config.error_log = arguments[0];
        if (arguments.size() > 1) config.error_log_level = arguments[1];
        if (arguments.size() > 2 || !levels.contains(config.error_log_level))
            throw ConfigError("invalid log level \"" + arguments.back() + "\"", directive.where);
    } else {
        return false;
    }
    return true;
}
}  // namespace

std::filesystem::path Config::resolve(const std::string& path) const {
    const std::filesystem::path given(path);
    return given.is_absolute() ? given : prefix / given;
}

std::filesystem::path Config::resolve_beside_config(const std::string& path) const {
    const std::filesystem::path given(path);
    return given.is_absolute() ? given : file.parent_path() / given;
}

Config load_config(const std::filesystem::path& file, const ConfigModule* module) {
    return load_config(ConfigSource{file, std::nullopt, "", ""}, module);
}

Config load_config(const ConfigSource& source, const ConfigModule* module) {
    Config config;
    // nginx: -c is relative to -p when -p is given; includes are relative
    // to the main file's folder; everything else to the prefix.
    const auto file = source.prefix && source.file.is_relative() ? *source.prefix / source.file : source.file;
    config.file = std::filesystem::absolute(file).lexically_normal();
    config.prefix = source.prefix ? std::filesystem::absolute(*source.prefix).lexically_normal()
                                  : config.file.parent_path();
    if (!source.error_log.empty()) config.error_log = source.error_log;
    config.log_formats["combined"] = std::make_shared<LogFormat>(
        LogFormat{"combined", LogFormat::Escape::Default, combined_log_format_text});
    auto directives = source.globals.empty()
                          ? std::vector<Directive>{}
                          : read_config_text(source.globals, "command line", config.file.parent_path());
    auto from_file = read_config_file(config.file, config.file.parent_path(), &config.files);
    directives.insert(directives.end(), std::make_move_iterator(from_file.begin()),
                      std::make_move_iterator(from_file.end()));
    const DirectiveTable table(module);
    table.check(directives);
    Reader reader{table, module, config};
    {
        // The main and events levels' rows that only check their values.
        Settings unused;
        Level level{unused, nullptr, config, {}};
        table.store_settings(directives, in::Main, level);
        for (const auto& directive : directives)
            if (directive.name == "events") table.store_settings(*directive.block, in::Events, level);
    }

    bool has_http = false;
    for (const auto& directive : directives) {
        if (read_main_directive(directive, config)) continue;
        if (directive.name == "events") {
            for (const auto& inner : *directive.block)
                if (inner.name == "worker_connections") config.worker_connections = number_argument(inner, inner.arguments[0]);
        } else if (directive.name == "http") {
            reader.read_http(directive);
            has_http = true;
        }
    }
    if (!has_http || config.servers.empty())
        throw ConfigError("no \"http\" block with a \"server\" in " + config.file.string() + ": nothing to serve");
    return config;
}

}  // namespace webstack::stage4
