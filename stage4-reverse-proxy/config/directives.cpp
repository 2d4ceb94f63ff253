#include "config/directives.hpp"

#include <map>
#include <string>

namespace webstack::stage4 {

namespace {

// The blocks a directive can stand in.
enum Context : unsigned {
    Main = 1,
    Events = 2,
    Http = 4,
    Upstream = 8,
    Server = 16,
    Location = 32,
};

struct Rule {
    unsigned contexts;
    std::size_t min_arguments, max_arguments;
    bool has_block;
    Context opens = Main;  // the context inside the block
};

constexpr std::size_t many = 1000;
constexpr unsigned everywhere_in_http = Http | Server | Location;

const std::map<std::string, Rule>& rules() {
    static const std::map<std::string, Rule> table = {
        {"worker_processes", {Main, 1, 1, false}},
        {"pid", {Main, 1, 1, false}},
        {"error_log", {Main, 1, 2, false}},
        {"events", {Main, 0, 0, true, Events}},
        {"worker_connections", {Events, 1, 1, false}},
        {"http", {Main, 0, 0, true, Http}},
        {"upstream", {Http, 1, 1, true, Upstream}},
        {"server", {Http | Upstream, 0, many, false}},  // a block in http, a line in upstream: see below
        {"listen", {Server, 1, 2, false}},
        {"server_name", {Server, 1, many, false}},
        {"location", {Server, 1, 2, true, Location}},
        {"client_max_body_size", {everywhere_in_http, 1, 1, false}},
        {"client_header_timeout", {Http | Server, 1, 1, false}},
        {"client_body_timeout", {everywhere_in_http, 1, 1, false}},
        {"keepalive_timeout", {everywhere_in_http, 1, 1, false}},
        {"large_client_header_buffers", {Http | Server, 2, 2, false}},
        {"underscores_in_headers", {Http | Server, 1, 1, false}},
        {"access_log", {everywhere_in_http, 1, 3, false}},
        {"proxy_pass", {Location, 1, 1, false}},
        {"proxy_set_header", {everywhere_in_http, 2, 2, false}},
        {"proxy_redirect", {everywhere_in_http, 1, 2, false}},
        {"proxy_connect_timeout", {everywhere_in_http, 1, 1, false}},
        {"proxy_read_timeout", {everywhere_in_http, 1, 1, false}},
        {"proxy_send_timeout", {everywhere_in_http, 1, 1, false}},
        {"proxy_http_version", {everywhere_in_http, 1, 1, false}},
        {"return", {Server | Location, 1, 2, false}},
        {"proxy_request_buffering", {everywhere_in_http, 1, 1, false}},
        {"proxy_buffering", {everywhere_in_http, 1, 1, false}},
        {"client_body_buffer_size", {everywhere_in_http, 1, 1, false}},
        {"proxy_buffer_size", {everywhere_in_http, 1, 1, false}},
        {"proxy_buffers", {everywhere_in_http, 2, 2, false}},
        {"keepalive", {Upstream, 1, 2, false}},
        {"least_conn", {Upstream, 0, 0, false}},
        {"proxy_next_upstream", {everywhere_in_http, 1, 10, false}},
        {"proxy_next_upstream_tries", {everywhere_in_http, 1, 1, false}},
    };
    return table;
}

void check_block(const std::vector<Directive>& block, Context context) {
    for (const auto& directive : block) {
        const auto found = rules().find(directive.name);
        if (found == rules().end())
            throw ConfigError("unknown directive \"" + directive.name + "\"", directive.where);
        Rule rule = found->second;
        // `server` is two directives: a block in http, an address line in upstream.
        if (directive.name == "server" && context == Http) rule = {Http, 0, 0, true, Server};
        if (directive.name == "server" && context == Upstream) rule = {Upstream, 1, 6, false};

        if (!(rule.contexts & context))
            throw ConfigError("\"" + directive.name + "\" directive is not allowed here", directive.where);
        if (rule.has_block && !directive.block)
            throw ConfigError("directive \"" + directive.name + "\" has no opening \"{\"", directive.where);
        if (!rule.has_block && directive.block)
            throw ConfigError("directive \"" + directive.name + "\" is not terminated by \";\"", directive.where);
        const auto count = directive.arguments.size();
        if (count < rule.min_arguments || count > rule.max_arguments)
            throw ConfigError("invalid number of arguments in \"" + directive.name + "\" directive", directive.where);
        if (directive.block) check_block(*directive.block, rule.opens);
    }
}

}  // namespace

void check_directives(const std::vector<Directive>& main_block) { check_block(main_block, Main); }

}  // namespace webstack::stage4
