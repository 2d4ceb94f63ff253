// Which server block and which location answer a request, as nginx decides:
//   1. the listening address the connection came in on picks a group of
//      server blocks;
//   2. the Host header picks one of them by server_name (exact names),
//      else the group's default server (marked default_server, else the first);
//   3. the path picks a location: an exact `location = /path` first, else
//      the longest matching prefix. A named location (`location @app`)
//      is never chosen by path: only try_files (stage 5) sends requests there.
#pragma once

#include "config/config.hpp"
#include "http/message.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webstack::stage4 {

struct ListenGroup {
    ListenAddress address;
    std::vector<const Server*> servers;
    const Server* default_server = nullptr;
};

// One group per distinct listen address. Throws ConfigError on two default servers.
std::vector<ListenGroup> group_by_listen_address(const Config& config);

const Server& choose_server(const ListenGroup& group, std::optional<std::string_view> host_header);

// The location for `path` (rule 3 above), among server.locations in the
// order of the config file: a Location has `exact` (`location = /x`) and
// `prefix` ("/x"); a named one has `name` ("@app") and an empty prefix,
// which would match every path, so it must be passed over. nullptr when no
// location matches (nginx then answers 404).
const Location* choose_location(const Server& server, std::string_view path);

// `location @app { ... }` of `server`, by its name ("@app"); nullptr if none.
const Location* find_named_location(const Server& server, std::string_view name);

// True when nginx would answer with a 301 to `path + "/"`: a prefix location
// ending in "/" that proxies, asked for the same path without the slash.
bool needs_trailing_slash_redirect(const Server& server, std::string_view path);

}  // namespace webstack::stage4
