#include "proxy/routing.hpp"

#include "http/headers.hpp"
#include "http/target.hpp"

#include <algorithm>
#include <stdexcept>

namespace webstack::stage4 {

std::vector<ListenGroup> group_by_listen_address(const Config& config) {
    std::vector<ListenGroup> groups;
    for (const auto& server : config.servers) {
        for (const auto& listen : server.listen) {
            auto group = std::find_if(groups.begin(), groups.end(), [&](const ListenGroup& candidate) {
                return candidate.address.host == listen.host && candidate.address.port == listen.port &&
                       listen.port != 0;  // port 0: each listen gets its own free port
            });
            if (group == groups.end()) group = groups.insert(groups.end(), ListenGroup{listen, {}, nullptr});
            group->servers.push_back(&server);
            group->address.ssl = group->address.ssl || listen.ssl;  // ssl is the address's, whichever server says it
            if (listen.default_server) {
                if (group->default_server && group->default_server != &server)
                    throw ConfigError("a duplicate default server for " + listen.text(), server.where);
                group->default_server = &server;
            }
        }
    }
    for (auto& group : groups) {
        if (!group.default_server) group.default_server = group.servers.front();
    }
    return groups;
}

namespace {
// How well `name` matches `host`: 0 not at all, else the length of what
// matched (the longest wildcard wins).
std::size_t wildcard_match(const ServerName& name, std::string_view host) {
    if (name.kind == ServerName::Kind::LeadingWildcard) {
        // ".example.com" is also example.com itself; "*.example.com" is not.
        if (host.size() > name.key.size() ? host.ends_with(name.key)
                                          : name.text.starts_with('.') && host == std::string_view(name.key).substr(1))
            return name.key.size();
    } else if (name.kind == ServerName::Kind::TrailingWildcard) {
        if (host.size() > name.key.size() && host.starts_with(name.key)) return name.key.size();
    }
    return 0;
}
}  // namespace

const Server& choose_server(const ListenGroup& group, std::string_view host, Captures* captures) {
    // 1. The exact name ("" is a request without Host).
    for (const Server* server : group.servers) {
        for (const auto& name : server->server_names) {
            if (name.kind == ServerName::Kind::Exact && name.key == host) return *server;
        }
    }
    // 2. The longest "*.example.com", then 3. the longest "mail.*".
    for (const auto kind : {ServerName::Kind::LeadingWildcard, ServerName::Kind::TrailingWildcard}) {
        const Server* best = nullptr;
        std::size_t best_length = 0;
        for (const Server* server : group.servers) {
            for (const auto& name : server->server_names) {
                const auto length = name.kind == kind ? wildcard_match(name, host) : 0;
                if (length > best_length) best = server, best_length = length;
            }
        }
        if (best) return *best;
    }
    // 4. The first regular expression that matches, in the order written.
    if (!host.empty()) {
        for (const Server* server : group.servers) {
            for (const auto& name : server->server_names) {
                if (name.regex && name.regex->match(host, captures)) return *server;
            }
        }
    }
    return *group.default_server;
}

const Location* match_by_prefix([[maybe_unused]] const std::vector<Location>& locations,
                                [[maybe_unused]] std::string_view path) {
    // BEGIN EXERCISE stage4.location
    const Location* longest = nullptr;
    for (const auto& location : locations) {
        if (!location.name.empty() || location.regex) continue;  // `location @name`, `location ~ RE`
        if (location.exact) {
            if (path == location.prefix) return &location;
            continue;
        }
        if (path.starts_with(location.prefix) && (!longest || location.prefix.size() > longest->prefix.size()))
            longest = &location;
    }
    return longest;
    // STUB
    // throw std::logic_error("exercise stage4.location is not done yet (scripts/exercises hint stage4.location)");
    // END EXERCISE stage4.location
}

namespace {
// What one level of locations decided: a location, and whether it is
// final (an exact match or a regular expression) or only the longest
// prefix, which a regular expression further out may still beat.
struct Found {
    const Location* location = nullptr;
    bool final = false;
};

// nginx's ngx_http_core_find_location, one level at a time.
Found find_location(const std::vector<Location>& locations, std::string_view path, Captures* captures) {
    const Location* prefix = match_by_prefix(locations, path);
    if (prefix && prefix->exact) return {prefix, true};
    Found found{prefix, false};
    if (prefix && !prefix->locations.empty()) {
        const Found inner = find_location(prefix->locations, path, captures);
        if (inner.final) return inner;
        if (inner.location) found.location = inner.location;
    }
    if (prefix && prefix->no_regex) return found;
    for (const auto& location : locations) {
        if (!location.regex || !location.regex->match(path, captures)) continue;
        const Found inner = location.locations.empty() ? Found{} : find_location(location.locations, path, captures);
        return {inner.location ? inner.location : &location, true};
    }
    return found;
}

bool needs_slash(const std::vector<Location>& locations, std::string_view path) {
    for (const auto& location : locations) {
        if (!location.exact && !location.regex && location.proxy_pass && location.prefix.size() > 1 &&
            location.prefix.ends_with('/') && path == std::string_view(location.prefix).substr(0, location.prefix.size() - 1))
            return true;
        if (needs_slash(location.locations, path)) return true;
    }
    return false;
}
}  // namespace

const Location* choose_location(const Server& server, std::string_view path, Captures* captures) {
    return find_location(server.locations, path, captures).location;
}

const Location* find_named_location(const Server& server, std::string_view name) {
    for (const auto& location : server.locations) {
        if (location.name == name) return &location;
    }
    return nullptr;
}

bool needs_trailing_slash_redirect(const Server& server, std::string_view path) {
    return needs_slash(server.locations, path);
}


}  // namespace webstack::stage4
