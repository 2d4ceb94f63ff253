// Which server block and which location answer a request, as nginx decides:
//   1. the listening address the connection came in on picks a group of
//      server blocks;
//   2. the host (http::host_name() of the Host header) picks one of them
//      by server_name: the exact name; else the longest wildcard at the
//      start ("*.example.com", or ".example.com" which is example.com too);
//      else the longest at the end ("mail.*"); else the first regular
//      expression that matches ("~^(?<user>.+)\.example\.com$"), in the
//      order written; else the group's default server (marked
//      default_server, else the first). A request without Host is the
//      name "", which a server without server_name has;
//   3. the path picks a location, in nginx's order:
//      a. an exact `location = /path` wins at once; else the longest
//         matching prefix is remembered (and the locations nested in it
//         are searched the same way);
//      b. if that prefix is `^~`, it wins; else the regular expressions
//         (`~`, `~*` without case) are tried in the order written, and the
//         first that matches wins (nested ones before the outer ones);
//      c. no regular expression matched: the remembered prefix wins.
//      A named location (`location @app`) is never chosen by path: only
//      try_files (stage 5) and error_page send requests there.
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

// `host` as http::host_name() gives it ("" without a Host); what a regular
// expression captured goes to `captures`.
const Server& choose_server(const ListenGroup& group, std::string_view host, Captures* captures = nullptr);

// Rule 3a for one level of locations, in the order of the config file: a
// Location has `exact` (`location = /x`) and `prefix` ("/x"); a named one
// has `name` ("@app") and an empty prefix, which would match every path, and
// a regular expression has `regex` (its text in `prefix`): both must be
// passed over. nullptr when no prefix matches.
const Location* match_by_prefix(const std::vector<Location>& locations, std::string_view path);

// The location for `path` (all of rule 3) among the server's locations;
// nullptr when none matches (nginx then answers 404). The captures of the
// regular expression that matched, if one did, go to `captures`.
const Location* choose_location(const Server& server, std::string_view path, Captures* captures = nullptr);

// `location @app { ... }` of `server`, by its name ("@app"); nullptr if none.
const Location* find_named_location(const Server& server, std::string_view name);

// True when nginx would answer with a 301 to `path + "/"`: a prefix location
// ending in "/" that proxies, asked for the same path without the slash.
bool needs_trailing_slash_redirect(const Server& server, std::string_view path);

}  // namespace webstack::stage4
