// check_variables() (proxy_server.hpp): every $name a config writes must be
// one nginx knows, or `-t` fails, as nginx's does: `unknown "nme" variable`.
#include "proxy/proxy_server.hpp"
#include "proxy/variables.hpp"

#include <set>
#include <string>

namespace webstack::stage4 {

namespace {
// The (?<name>) groups of every regular expression: variables too.
std::set<std::string> capture_names;

void check_text(const std::string& text, const SourceLocation& where) {
    for (const auto& name : variables_in(text)) {
        if (!is_known_variable(name, capture_names)) throw ConfigError("unknown \"" + name + "\" variable", where);
    }
}

void collect_capture_names(const std::vector<Location>& locations) {
    for (const auto& location : locations) {
        if (location.regex)
            capture_names.insert(location.regex->capture_names().begin(), location.regex->capture_names().end());
        collect_capture_names(location.locations);
    }
}

void check_settings(const Settings& settings, const SourceLocation& where) {
    for (const auto& header : settings.proxy_set_header) check_text(header.value, where);
    check_text(settings.proxy_redirect.from, where);
    check_text(settings.proxy_redirect.to, where);
    check_text(settings.proxy_method, where);
    for (const auto& header : settings.add_header) check_text(header.value, where);
    for (const auto& page : settings.error_page) check_text(page.target, where);
}

void check_locations(const std::vector<Location>& locations) {
    for (const auto& location : locations) {
        check_settings(location.settings, location.where);
        if (location.return_directive) check_text(location.return_directive->text, location.where);
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
        collect_capture_names(server.locations);
    }
    for (const auto& server : config.servers) {
        check_settings(server.settings, server.where);
        if (server.return_directive) check_text(server.return_directive->text, server.where);
        check_locations(server.locations);
    }
}

}  // namespace webstack::stage4
