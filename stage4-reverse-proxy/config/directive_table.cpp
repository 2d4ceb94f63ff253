#include "config/directive_table.hpp"

#include "config/values.hpp"

#include <algorithm>

namespace webstack::stage4 {

namespace {

// Rows for the common kinds of value.
DirectiveSpec duration_row(std::string name, unsigned contexts, Duration Settings::*field) {
    return {std::move(name), contexts, 1, 1, false, false, in::Main,
            [field](const Directive& directive, Level& level) {
                level.settings.*field = duration_argument(directive);
            }};
}

DirectiveSpec size_row(std::string name, unsigned contexts, std::size_t Settings::*field) {
    return {std::move(name), contexts, 1, 1, false, false, in::Main,
            [field](const Directive& directive, Level& level) { level.settings.*field = size_argument(directive); }};
}

DirectiveSpec on_off_row(std::string name, unsigned contexts, bool Settings::*field) {
    return {std::move(name), contexts, 1, 1, false, false, in::Main,
            [field](const Directive& directive, Level& level) { level.settings.*field = on_off_argument(directive); }};
}

// A directive the configuration reader handles itself (it shapes the
// configuration rather than setting a value).
DirectiveSpec structural(std::string name, unsigned contexts, std::size_t min, std::size_t max,
                         bool repeatable = false) {
    return {std::move(name), contexts, min, max, repeatable, false, in::Main, {}};
}

DirectiveSpec block(std::string name, unsigned contexts, std::size_t arguments, in::Context opens,
                    bool repeatable = false) {
    return {std::move(name), contexts, arguments, arguments, repeatable, true, opens, {}};
}

void store_large_client_header_buffers(const Directive& directive, Level& level) {
    const auto& arguments = directive.arguments;
    level.settings.large_client_header_buffers_count = number_argument(directive, arguments[0]);
    level.settings.large_client_header_buffers_size = size_argument(directive, 1);
    if (level.settings.large_client_header_buffers_count < 1 || level.settings.large_client_header_buffers_size < 16)
        invalid_value(directive, arguments[0] + " " + arguments[1]);
}

// Each block its own list of logs: one that writes access_log inherits none.
void store_access_log(const Directive& directive, Level& level) {
    const auto& arguments = directive.arguments;
    if (!level.written_here.contains("access_log")) level.settings.access_log.clear();
    if (arguments[0] == "off") {
        if (arguments.size() > 1) throw ConfigError("invalid parameter \"" + arguments[1] + "\"", directive.where);
        return;
    }
    AccessLogTarget log;
    log.path = arguments[0] == "/dev/stdout" ? arguments[0] : level.config.resolve(arguments[0]).string();
    const std::string format = arguments.size() > 1 ? arguments[1] : "combined";
    const auto found = level.config.log_formats.find(format);
    if (found == level.config.log_formats.end())
        throw ConfigError("unknown log format \"" + format + "\"", directive.where);
    log.format = found->second;
    for (std::size_t i = 2; i < arguments.size(); ++i) {
        // buffer= and flush= batch nginx's writes; ours are written at once,
        // which nginx does without them.
        const auto& argument = arguments[i];
        if (argument.starts_with("if=")) log.condition = argument.substr(3);
        else if (argument.starts_with("buffer=") || argument.starts_with("flush=")) {}
        else if (argument == "gzip" || argument.starts_with("gzip=")) {
            log.gzip_level = argument == "gzip" ? 1 : number_argument(directive, argument.substr(5));
            if (log.gzip_level < 1 || log.gzip_level > 9) invalid_value(directive, argument);
#ifndef WEBSTACK_HAVE_ZLIB
            throw ConfigError("access_log's \"gzip\" needs zlib (this build has none: install zlib1g-dev, then "
                                  "build again)", directive.where);
#endif
        } else {
            throw ConfigError("invalid parameter \"" + argument + "\"", directive.where);
        }
    }
    level.settings.access_log.push_back(std::move(log));
}

// `open_log_file_cache max=N [inactive=TIME] [min_uses=N] [valid=TIME]` or `off`.
void store_open_log_file_cache(const Directive& directive, Level& level) {
    const auto duration_value = [](const Directive& directive, const std::string& text) {
        const auto value = parse_duration(text);
        if (!value) invalid_value(directive, text);
        return *value;
    };
    LogFileCache cache;
    for (const auto& argument : directive.arguments) {
        const auto value = argument.substr(argument.find('=') + 1);
        if (argument == "off" && directive.arguments.size() == 1) break;
        if (argument.starts_with("max=")) cache.max = static_cast<std::size_t>(number_argument(directive, value));
        else if (argument.starts_with("min_uses=")) cache.min_uses = number_argument(directive, value);
        else if (argument.starts_with("inactive="))
            cache.inactive = std::chrono::duration_cast<std::chrono::seconds>(duration_value(directive, value));
        else if (argument.starts_with("valid=")) (void)duration_value(directive, value);  // we check on each open
        else throw ConfigError("invalid \"open_log_file_cache\" parameter \"" + argument + "\"", directive.where);
    }
    if (directive.arguments[0] != "off" && cache.max == 0)
        throw ConfigError("\"open_log_file_cache\" must have the \"max\" parameter", directive.where);
    level.settings.open_log_file_cache = cache;
}

void store_log_format(const Directive& directive, Level& level) {
    const auto& arguments = directive.arguments;
    auto format = std::make_shared<LogFormat>();
    format->name = arguments[0];
    std::size_t first = 1;
    if (arguments.size() > 1 && arguments[1].starts_with("escape=")) {
        const auto escape = arguments[1].substr(7);
        if (escape == "default") format->escape = LogFormat::Escape::Default;
        else if (escape == "json") format->escape = LogFormat::Escape::Json;
        else if (escape == "none") format->escape = LogFormat::Escape::None;
        else throw ConfigError("unknown log format escaping \"" + escape + "\"", directive.where);
        first = 2;
    }
    if (first >= arguments.size()) throw ConfigError("invalid number of arguments in \"log_format\" directive", directive.where);
    for (std::size_t i = first; i < arguments.size(); ++i) format->text += arguments[i];
    if (level.config.log_formats.contains(format->name))
        throw ConfigError("duplicate \"log_format\" name \"" + format->name + "\"", directive.where);
    level.config.log_formats[format->name] = std::move(format);
}

// nginx's surprise, kept: a block with any proxy_set_header inherits none
// of the outer blocks' ones.
void store_proxy_set_header(const Directive& directive, Level& level) {
    if (!level.written_here.contains("proxy_set_header")) level.settings.proxy_set_header.clear();
    level.settings.proxy_set_header.push_back({directive.arguments[0], directive.arguments[1]});
}

// add_header follows the same rule.
void store_add_header(const Directive& directive, Level& level) {
    const auto& arguments = directive.arguments;
    if (arguments.size() == 3 && arguments[2] != "always")
        throw ConfigError("invalid parameter \"" + arguments[2] + "\"", directive.where);
    if (!level.written_here.contains("add_header")) level.settings.add_header.clear();
    level.settings.add_header.push_back({arguments[0], arguments[1], arguments.size() == 3});
}

// proxy_hide_header and proxy_pass_header: names, each block its own list
// (a block that writes one inherits none, as with proxy_set_header).
DirectiveSpec header_names_row(std::string name, std::vector<std::string> Settings::*field) {
    return {name, in::http_server_location, 1, 1, true, false, in::Main,
            [field, name](const Directive& directive, Level& level) {
                if (!level.written_here.contains(name)) (level.settings.*field).clear();
                (level.settings.*field).push_back(directive.arguments[0]);
            }};
}

void store_client_body_in_file_only(const Directive& directive, Level& level) {
    const auto& value = directive.arguments[0];
    if (value != "on" && value != "clean" && value != "off") invalid_value(directive, value);
    level.settings.client_body_in_file_only = value != "off";
    level.settings.client_body_file_kept = value == "on";
}

void store_error_page(const Directive& directive, Level& level) {
    const auto& arguments = directive.arguments;
    ErrorPage page;
    page.target = arguments.back();
    for (std::size_t i = 0; i + 1 < arguments.size(); ++i) {
        const auto& value = arguments[i];
        if (value.starts_with("=")) {
            if (i + 2 != arguments.size()) throw ConfigError("invalid value \"" + value + "\"", directive.where);
            page.response = value.size() == 1 ? 0 : number_argument(directive, value.substr(1));
            continue;
        }
        const int code = value.find_first_not_of("0123456789") == std::string::npos && value.size() == 3
                             ? std::stoi(value) : 0;
        if (code < 300 || code > 599) throw ConfigError("value \"" + value + "\" must be between 300 and 599",
                                                        directive.where);
        page.codes.push_back(code);
    }
    if (page.codes.empty()) throw ConfigError("invalid number of arguments in \"error_page\" directive", directive.where);
    if (!level.written_here.contains("error_page")) level.settings.error_page.clear();
    level.settings.error_page.push_back(std::move(page));
}

// The first proxy_redirect of a block replaces the inherited rules; the
// next ones add to them.
void store_proxy_redirect(const Directive& directive, Level& level) {
    const auto& arguments = directive.arguments;
    auto& rules = level.settings.proxy_redirect;
    if (!level.written_here.contains("proxy_redirect")) rules.clear();
    if (arguments.size() == 2) {
        ProxyRedirect rule{ProxyRedirect::Mode::Replace, arguments[0], arguments[1], nullptr};
        if (rule.from.starts_with('~')) {
            const bool caseless = rule.from.starts_with("~*");
            rule.regex = Regex::compile(rule.from.substr(caseless ? 2 : 1), caseless, directive.where);
        }
        rules.push_back(std::move(rule));
    } else if (arguments[0] == "default") {
        rules.push_back({});
    } else if (arguments[0] != "off") {
        throw ConfigError("invalid parameter \"" + arguments[0] + "\"", directive.where);
    }
}

void store_proxy_buffers(const Directive& directive, Level& level) {
    const auto& arguments = directive.arguments;
    level.settings.proxy_buffers_count = number_argument(directive, arguments[0]);
    level.settings.proxy_buffers_size = size_argument(directive, 1);
    if (level.settings.proxy_buffers_count < 2 || level.settings.proxy_buffers_size == 0)
        invalid_value(directive, arguments[0] + " " + arguments[1]);
}

void store_proxy_next_upstream(const Directive& directive, Level& level) {
    Settings::NextUpstream next{false, false, false, false, {}, false};
    for (const auto& value : directive.arguments) {
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
    if (next.off && directive.arguments.size() > 1) invalid_value(directive, "off");
    level.settings.proxy_next_upstream = next;
}

void store_proxy_http_version(const Directive& directive, Level& level) {
    const auto& version = directive.arguments[0];
    if (version != "1.0" && version != "1.1") invalid_value(directive, version);
    level.settings.proxy_http_version = version;
}

}  // namespace

DirectiveSpec needs_library(DirectiveSpec row, OptionalLibrary library) {
    if (!library.built)
        row.store = [library](const Directive& directive, Level&) {
            throw ConfigError("\"" + directive.name + "\" needs " + library.name + ", which this build lacks (install " +
                                  library.package + ": scripts/install-deps, then build again)",
                              directive.where);
        };
    return row;
}

const std::vector<DirectiveSpec>& core_directives() {
    constexpr unsigned anywhere = in::http_server_location;
    static const std::vector<DirectiveSpec> table = {
        // The configuration's shape: read by config.cpp.
        structural("worker_processes", in::Main, 1, 1),
        structural("pid", in::Main, 1, 1),
        structural("error_log", in::Main, 1, 2, true),
        // A block's own error log: its requests' errors go there.
        {"error_log", in::http_server_location, 1, 2, true, false, in::Main,
         [](const Directive& directive, Level& level) {
             const auto& path = directive.arguments[0];
             level.settings.error_log = path == "stderr" ? "" : level.config.resolve(path).string();
         }},
        block("events", in::Main, 0, in::Events),
        structural("worker_connections", in::Events, 1, 1),
        block("http", in::Main, 0, in::Http),
        block("upstream", in::Http, 1, in::Upstream, true),
        structural("server", in::Upstream, 1, 6, true),  // an address in an upstream block...
        block("server", in::Http, 0, in::Server, true),      // ...and a virtual server in http
        structural("keepalive", in::Upstream, 1, 2),
        structural("least_conn", in::Upstream, 0, 0),
        structural("keepalive_requests", in::Upstream, 1, 1),
        structural("keepalive_time", in::Upstream, 1, 1),
        structural("keepalive_timeout", in::Upstream, 1, 1),
        structural("listen", in::Server, 1, 10, true),
        structural("server_name", in::Server, 1, many, true),
        {"location", in::Server | in::Location, 1, 2, true, true, in::Location, {}},
        structural("proxy_pass", in::Location, 1, 1),
        // The rewrite module (proxy/rewrite.hpp): statements run in order.
        structural("return", in::Server | in::Location | in::If, 1, 2, true),
        structural("set", in::Server | in::Location | in::If, 2, 2, true),
        structural("rewrite", in::Server | in::Location | in::If, 2, 3, true),
        structural("break", in::Server | in::Location | in::If, 0, 0, true),
        {"if", in::Server | in::Location, 1, many, true, true, in::If, {}},
        // Settings, inherited by inner blocks.
        size_row("client_max_body_size", anywhere, &Settings::client_max_body_size),
        duration_row("client_header_timeout", in::Http | in::Server, &Settings::client_header_timeout),
        duration_row("client_body_timeout", anywhere, &Settings::client_body_timeout),
        {"keepalive_timeout", anywhere, 1, 2, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             level.settings.keepalive_timeout = duration_argument(directive);
             // The second value goes to the client: "Keep-Alive: timeout=N".
             level.settings.keepalive_header.reset();
             if (directive.arguments.size() > 1)
                 level.settings.keepalive_header =
                     std::chrono::duration_cast<std::chrono::seconds>(duration_argument(directive, 1)).count();
         }},
        duration_row("send_timeout", anywhere, &Settings::send_timeout),
        {"large_client_header_buffers", in::Http | in::Server, 2, 2, false, false, in::Main, store_large_client_header_buffers},
        on_off_row("underscores_in_headers", in::Http | in::Server, &Settings::underscores_in_headers),
        {"access_log", anywhere, 1, 6, true, false, in::Main, store_access_log},
        {"open_log_file_cache", anywhere, 1, 4, false, false, in::Main, store_open_log_file_cache},
        {"log_format", in::Http, 2, many, true, false, in::Main, store_log_format},
        {"proxy_set_header", anywhere, 2, 2, true, false, in::Main, store_proxy_set_header},
        {"proxy_redirect", anywhere, 1, 2, true, false, in::Main, store_proxy_redirect},
        {"add_header", anywhere, 2, 3, true, false, in::Main, store_add_header},
        {"error_page", anywhere, 2, many, true, false, in::Main, store_error_page},
        {"client_body_in_file_only", anywhere, 1, 1, false, false, in::Main, store_client_body_in_file_only},
        {"client_body_in_single_buffer", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level&) { (void)on_off_argument(directive); }},  // memory layout only
        on_off_row("absolute_redirect", anywhere, &Settings::absolute_redirect),
        on_off_row("port_in_redirect", anywhere, &Settings::port_in_redirect),
        on_off_row("server_name_in_redirect", anywhere, &Settings::server_name_in_redirect),
        {"proxy_method", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) { level.settings.proxy_method = directive.arguments[0]; }},
        on_off_row("proxy_pass_request_headers", anywhere, &Settings::proxy_pass_request_headers),
        on_off_row("proxy_pass_request_body", anywhere, &Settings::proxy_pass_request_body),
        {"proxy_max_temp_file_size", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             level.settings.proxy_max_temp_file_size = size_argument(directive);
         }},
        header_names_row("proxy_hide_header", &Settings::proxy_hide_header),
        header_names_row("proxy_pass_header", &Settings::proxy_pass_header),
        on_off_row("proxy_intercept_errors", anywhere, &Settings::proxy_intercept_errors),
        duration_row("proxy_connect_timeout", anywhere, &Settings::proxy_connect_timeout),
        duration_row("proxy_read_timeout", anywhere, &Settings::proxy_read_timeout),
        duration_row("proxy_send_timeout", anywhere, &Settings::proxy_send_timeout),
        {"proxy_http_version", anywhere, 1, 1, false, false, in::Main, store_proxy_http_version},
        on_off_row("proxy_request_buffering", anywhere, &Settings::proxy_request_buffering),
        on_off_row("proxy_buffering", anywhere, &Settings::proxy_buffering),
        size_row("client_body_buffer_size", anywhere, &Settings::client_body_buffer_size),
        size_row("proxy_buffer_size", anywhere, &Settings::proxy_buffer_size),
        {"proxy_buffers", anywhere, 2, 2, false, false, in::Main, store_proxy_buffers},
        {"proxy_next_upstream", anywhere, 1, 10, false, false, in::Main, store_proxy_next_upstream},
        {"proxy_next_upstream_timeout", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             level.settings.proxy_next_upstream_timeout = duration_argument(directive);
         }},
        {"proxy_next_upstream_tries", anywhere, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             level.settings.proxy_next_upstream_tries = number_argument(directive, directive.arguments[0]);
         }},
    };
    return table;
}

DirectiveTable::DirectiveTable(const ConfigModule* module) {
    for (const auto& row : core_directives()) rows_.push_back(&row);
    for (const auto& row : deployment_directives()) rows_.push_back(&row);
    for (const auto& row : gzip_directives()) rows_.push_back(&row);
    for (const auto& row : tls_directives()) rows_.push_back(&row);
    if (module)
        for (const auto& row : module->directives) rows_.push_back(&row);
}

const DirectiveSpec* DirectiveTable::find(const Directive& directive, in::Context context) const {
    bool known = false;
    for (const auto* row : rows_) {
        if (row->name != directive.name) continue;
        known = true;
        if (row->contexts & context) return row;
    }
    if (known) throw ConfigError("\"" + directive.name + "\" directive is not allowed here", directive.where);
    return nullptr;
}

void DirectiveTable::check(const std::vector<Directive>& main_block) const { check_block(main_block, in::Main); }

void DirectiveTable::check_block(const std::vector<Directive>& block, in::Context context) const {
    if (context == in::Types) return;  // its lines are MIME types, read by the module that owns `types`
    std::vector<std::string_view> seen;
    for (const auto& directive : block) {
        const auto* row = find(directive, context);
        if (!row) throw ConfigError("unknown directive \"" + directive.name + "\"", directive.where);
        if (row->has_block && !directive.block)
            throw ConfigError("directive \"" + directive.name + "\" has no opening \"{\"", directive.where);
        if (!row->has_block && directive.block)
            throw ConfigError("directive \"" + directive.name + "\" is not terminated by \";\"", directive.where);
        const auto count = directive.arguments.size();
        if (count < row->min_arguments || count > row->max_arguments)
            throw ConfigError("invalid number of arguments in \"" + directive.name + "\" directive", directive.where);
        if (!row->repeatable) {
            if (std::find(seen.begin(), seen.end(), directive.name) != seen.end())
                throw ConfigError("\"" + directive.name + "\" directive is duplicate", directive.where);
            seen.push_back(directive.name);
        }
        if (directive.block) check_block(*directive.block, row->opens);
    }
}

void DirectiveTable::store_settings(const std::vector<Directive>& block, in::Context context, Level& level) const {
    for (const auto& directive : block) {
        const auto* row = find(directive, context);
        if (!row || !row->store) continue;
        row->store(directive, level);
        level.written_here.insert(directive.name);
    }
}

}  // namespace webstack::stage4
