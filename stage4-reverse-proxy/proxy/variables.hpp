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
//   $arg_NAME, $cookie_NAME, $is_args, $query_string, $document_uri, $request,
//   $server_addr, $server_protocol, $content_length, $content_type,
//   $request_body (when read into memory), $request_body_file (always ""),
//   $hostname, $pid, $msec, $time_local, $time_iso8601, $nginx_version
#pragma once

#include "config/config.hpp"
#include "http/message.hpp"
#include "net/listener.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace webstack::stage4 {

class ErrorPages;  // client_side.hpp

// One server tried for a request: what it answered and how long each step
// took from the try's start (nullopt: the step was not reached, "-").
struct UpstreamTry {
    boost::asio::ip::tcp::endpoint endpoint;
    int status = 0;  // 0: no answer
    std::optional<std::chrono::milliseconds> connect_time, header_time, response_time;
    std::uint64_t bytes_sent = 0, bytes_received = 0, response_length = 0;
};

struct RequestContext {
    const http::Request* request = nullptr;
    net::Endpoints connection;
    std::string server_name;   // the chosen server block's first server_name
    bool https = false;        // the connection came through TLS: $scheme is "https"
    // The request's host, as http::host_name() reads it ("example.com"): of
    // "GET http://example.com/a", else of the Host header; empty without either.
    std::string host;
    std::string proxy_host;    // empty until a proxy_pass is chosen
    bool underscores_in_headers = false;  // else headers with "_" are invisible, as nginx ignores them
    const std::vector<AccessLogTarget>* access_log = nullptr;  // of the block that answered; nullptr: the default server's
    std::chrono::steady_clock::time_point started;  // when the head arrived: $request_time
    const Settings* settings = nullptr;  // of the block that answered (add_header, ...); nullptr: none chosen
    // error_page: who serves a block's error page (client_connection.cpp);
    // a request is sent to one only once; the status the client then gets.
    ErrorPages* error_pages = nullptr;
    bool error_page_served = false;
    std::optional<int> status_override;
    std::optional<std::string_view> request_body;  // $request_body: the body, when it was read into memory
    std::string request_body_file;     // $request_body_file: its file, when it went to one
    int connection_requests = 0;       // $connection_requests: this one's number on its connection
    std::uint64_t connection_number = 0;  // $connection: the connection's serial number in this worker
    std::chrono::steady_clock::time_point connection_opened;  // $connection_time
    // Each server tried, for the $upstream_... variables, made into text only when asked.
    std::vector<UpstreamTry> upstream_tries;
    int proxy_port = 0;                // $proxy_port
    const ProxyPass* proxy_pass = nullptr;  // where this request goes: the location's, or one made for it
    // A new request on the connection: what the previous one left is forgotten.
    void begin(const http::Request& next, int number_on_connection);

    Captures captures;                 // $1..$9 and $NAME: what the regular expression that matched captured
    std::vector<std::pair<std::string, std::string>> set_variables;  // `set $name value` (proxy/rewrite.hpp)
    std::string request_uri;           // $request_uri: the target as it came, whatever `rewrite` makes of it
    std::optional<std::string> internal_uri;  // $uri after stage 5's internal redirects (index, try_files)
    // The head the client got, for $sent_http_NAME: a record of what was
    // written (mutable: the writers see the context read-only).
    mutable std::string sent_head;
    // The upstream's answer's headers, for $upstream_http_NAME: the live
    // ones while relaying, then a copy kept for the log (when a format asks).
    const http::HeaderList* upstream_headers = nullptr;
    std::optional<http::HeaderList> kept_upstream_headers;
};

// $sent_http_NAME: the head sent to the client is kept for the access log,
// only when a log_format asks for such a variable (a copy per request
// otherwise wasted): access_logs.cpp says so when it opens the logs.
void want_sent_heads(bool wanted);
void want_upstream_heads(bool wanted);  // $upstream_http_NAME in a log format
bool upstream_heads_wanted();
void remember_sent_head(const RequestContext& context, std::string_view head);

// The value of one variable (without the "$"); nullopt if we do not know it.
std::optional<std::string> variable_value(std::string_view name, const RequestContext& context);

// True for a name variable_value knows ($http_*, $1..$9 included), for
// checking configs; `captures` are the (?<name>) groups the config's
// regular expressions define.
bool is_known_variable(std::string_view name, const std::set<std::string>& captures = {});

// Replaces every $name and ${name} in `text`. Unknown names become "".
std::string expand_variables(std::string_view text, const RequestContext& context);

// The names of the variables in `text`, to check a config before serving.
std::vector<std::string> variables_in(std::string_view text);

}  // namespace webstack::stage4
