#include "config/directives.hpp"

#include <map>
#include <string>

namespace webstack::stage4 {

namespace {

using Rule = DirectiveRule;

constexpr std::size_t many = 1000;

const std::map<std::string, Rule>& rules() {
    static const std::map<std::string, Rule> table = {
        {"worker_processes", {in::Main, 1, 1, false}},
        {"pid", {in::Main, 1, 1, false}},
        {"error_log", {in::Main, 1, 2, false}},
        {"events", {in::Main, 0, 0, true, in::Events}},
        {"worker_connections", {in::Events, 1, 1, false}},
        {"http", {in::Main, 0, 0, true, in::Http}},
        {"upstream", {in::Http, 1, 1, true, in::Upstream}},
        {"server", {in::Http | in::Upstream, 0, many, false}},  // a block in http, a line in upstream: see below
        {"listen", {in::Server, 1, 2, false}},
        {"server_name", {in::Server, 1, many, false}},
        {"location", {in::Server, 1, 2, true, in::Location}},
        {"client_max_body_size", {in::http_server_location, 1, 1, false}},
        {"client_header_timeout", {in::Http | in::Server, 1, 1, false}},
        {"client_body_timeout", {in::http_server_location, 1, 1, false}},
        {"keepalive_timeout", {in::http_server_location, 1, 1, false}},
        {"large_client_header_buffers", {in::Http | in::Server, 2, 2, false}},
        {"underscores_in_headers", {in::Http | in::Server, 1, 1, false}},
        {"access_log", {in::http_server_location, 1, 3, false}},
        {"proxy_pass", {in::Location, 1, 1, false}},
        {"proxy_set_header", {in::http_server_location, 2, 2, false}},
        {"proxy_redirect", {in::http_server_location, 1, 2, false}},
        {"proxy_connect_timeout", {in::http_server_location, 1, 1, false}},
        {"proxy_read_timeout", {in::http_server_location, 1, 1, false}},
        {"proxy_send_timeout", {in::http_server_location, 1, 1, false}},
        {"proxy_http_version", {in::http_server_location, 1, 1, false}},
        {"return", {in::Server | in::Location, 1, 2, false}},
        {"proxy_request_buffering", {in::http_server_location, 1, 1, false}},
        {"proxy_buffering", {in::http_server_location, 1, 1, false}},
        {"client_body_buffer_size", {in::http_server_location, 1, 1, false}},
        {"proxy_buffer_size", {in::http_server_location, 1, 1, false}},
        {"proxy_buffers", {in::http_server_location, 2, 2, false}},
        {"keepalive", {in::Upstream, 1, 2, false}},
        {"least_conn", {in::Upstream, 0, 0, false}},
        {"proxy_next_upstream", {in::http_server_location, 1, 10, false}},
        {"proxy_next_upstream_tries", {in::http_server_location, 1, 1, false}},
    };
    return table;
}

void check_block(const std::vector<Directive>& block, in::Context context, const std::vector<ModuleDirective>& modules) {
    if (context == in::Types) return;  // its lines are MIME types, read by the module that owns `types`
    for (const auto& directive : block) {
        const Rule* found = nullptr;
        if (const auto own = rules().find(directive.name); own != rules().end()) found = &own->second;
        for (const auto& added : modules) {
            if (added.name == directive.name) found = &added.rule;
        }
        if (!found) throw ConfigError("unknown directive \"" + directive.name + "\"", directive.where);
        Rule rule = *found;
        // `server` is two directives: a block in http, an address line in upstream.
        if (directive.name == "server" && context == in::Http) rule = {in::Http, 0, 0, true, in::Server};
        if (directive.name == "server" && context == in::Upstream) rule = {in::Upstream, 1, 6, false};

        if (!(rule.contexts & context))
            throw ConfigError("\"" + directive.name + "\" directive is not allowed here", directive.where);
        if (rule.has_block && !directive.block)
            throw ConfigError("directive \"" + directive.name + "\" has no opening \"{\"", directive.where);
        if (!rule.has_block && directive.block)
            throw ConfigError("directive \"" + directive.name + "\" is not terminated by \";\"", directive.where);
        const auto count = directive.arguments.size();
        if (count < rule.min_arguments || count > rule.max_arguments)
            throw ConfigError("invalid number of arguments in \"" + directive.name + "\" directive", directive.where);
        if (directive.block) check_block(*directive.block, rule.opens, modules);
    }
}

}  // namespace

void check_directives(const std::vector<Directive>& main_block, const std::vector<ModuleDirective>& modules) {
    check_block(main_block, in::Main, modules);
}

}  // namespace webstack::stage4
