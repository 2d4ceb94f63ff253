// nginx variables: the $names a config can put in proxy_set_header,
// return and proxy_redirect, filled in for each request.
//
//   $host        Host without its port, lower case (else the server_name)
//   $http_host   the Host header as sent       $http_NAME  any request header
//   $remote_addr, $remote_port                 the client's end of the connection
//   $scheme      "http"                        $request_uri  the target as sent
//   $uri         the path, decoded             $args         the query string
//   $request_method, $server_name, $server_port
//   $proxy_host  the upstream's name (and port unless 80), as proxy_pass names it
//   $proxy_add_x_forwarded_for  the client's X-Forwarded-For, then ", $remote_addr"
#pragma once

#include "config/config.hpp"
#include "http/message.hpp"
#include "net/listener.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webstack::stage4 {

struct RequestContext {
    const http::Request* request = nullptr;
    net::Endpoints connection;
    std::string server_name;   // the chosen server block's first server_name
    std::string target_host;   // "other.example" from "GET http://other.example/a"; empty for "GET /a"
    std::string proxy_host;    // empty until a proxy_pass is chosen
    bool underscores_in_headers = false;  // else headers with "_" are invisible, as nginx ignores them
    const std::optional<std::string>* access_log = nullptr;  // of the block that answered; nullptr: the default server's
    const Settings* settings = nullptr;  // of the block that answered (add_header, ...); nullptr: none chosen
};

// The value of one variable (without the "$"); nullopt if we do not know it.
std::optional<std::string> variable_value(std::string_view name, const RequestContext& context);

// True for a name variable_value knows ($http_* included), for checking configs.
bool is_known_variable(std::string_view name);

// Replaces every $name and ${name} in `text`. Unknown names become "".
std::string expand_variables(std::string_view text, const RequestContext& context);

// The names of the variables in `text`, to check a config before serving.
std::vector<std::string> variables_in(std::string_view text);

}  // namespace webstack::stage4
