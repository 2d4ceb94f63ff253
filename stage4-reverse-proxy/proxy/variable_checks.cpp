// check_variables() (proxy_server.hpp): every $name a config writes must be
// one nginx knows, or `-t` fails, as nginx's does: `unknown "nme" variable`.
#include "proxy/proxy_server.hpp"
#include "proxy/variables.hpp"

#include <set>
#include <string>

namespace webstack::stage4 {

namespace {
// The (?<name>) groups of every regular expression, and the names `set`
// gives a value: variables too.
std::set<std::string> capture_names;

void check_text(const std::string& text, const SourceLocation& where);

void collect_rewrite_names(const std::vector<RewriteStep>& steps) {
    for (const auto& step : steps) {
        if (step.kind == RewriteStep::Kind::Set) capture_names.insert(step.variable);
        for (const auto* regex : {step.regex.get(), step.condition.regex.get()})
            if (regex) capture_names.insert(regex->capture_names().begin(), regex->capture_names().end());
        collect_rewrite_names(step.steps);
    }
}

void check_rewrites(const std::vector<RewriteStep>& steps) {
    for (const auto& step : steps) {
        for (const auto* text : {&step.value, &step.returned.text, &step.condition.subject, &step.condition.value})
            check_text(*text, step.where);
        check_rewrites(step.steps);
    }
}

void check_text(const std::string& text, const SourceLocation& where) {
    for (const auto& name : variables_in(text)) {
        if (!is_known_variable(name, capture_names)) throw ConfigError("unknown \"" + name + "\" variable", where);
    }
}

void collect_capture_names(const std::vector<Location>& locations) {
    for (const auto& location : locations) {
        if (location.regex)
            capture_names.insert(location.regex->capture_names().begin(), location.regex->capture_names().end());
        collect_rewrite_names(location.rewrites);
        collect_capture_names(location.locations);
    }
}

void check_settings(const Settings& settings, const SourceLocation& where) {
    for (const auto& header : settings.proxy_set_header) check_text(header.value, where);
    for (const auto& rule : settings.proxy_redirect) {
        if (!rule.regex) check_text(rule.from, where);
        check_text(rule.to, where);
    }
    check_text(settings.proxy_method, where);
    for (const auto& header : settings.add_header) check_text(header.value, where);
    for (const auto& page : settings.error_page) check_text(page.target, where);
}

void check_locations(const std::vector<Location>& locations) {
    for (const auto& location : locations) {
        check_settings(location.settings, location.where);
        check_rewrites(location.rewrites);
        check_locations(location.locations);
    }
}
}  // namespace

void check_variables(const Config& config) {
    capture_names.clear();
    for (const auto& server : config.servers) {
        for (const auto& name : server.server_names) {
            if (name.regex) capture_names.insert(name.regex->capture_names().begin(), name.regex->capture_names().end());
        }
        collect_rewrite_names(server.rewrites);
        collect_capture_names(server.locations);
    }
    for (const auto& server : config.servers) {
        check_settings(server.settings, server.where);
        check_rewrites(server.rewrites);
        check_locations(server.locations);
    }
}

}  // namespace webstack::stage4
