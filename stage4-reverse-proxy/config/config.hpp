// The configuration, as the proxy uses it: the directives of nginx.conf
// checked (each in the blocks nginx allows it in, with the arguments nginx
// takes) and turned into plain structs.
//
// Like nginx, a setting written in `http` applies to every `server` and
// `location` inside it unless they set it again ("inheritance"). One rule
// surprises everyone, and we keep it: a level that has any
// `proxy_set_header` inherits none of the outer ones.
#pragma once

#include "config/regex.hpp"
#include "config/syntax.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace webstack::stage4 {

namespace asio = boost::asio;

using Duration = std::chrono::milliseconds;

// The size of a memory page (4k on x86-64): nginx sizes some buffers in pages.
inline std::size_t memory_page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

struct ListenAddress {
    std::string host;  // "127.0.0.1", "::1", or "0.0.0.0" for a bare port
    int port = 80;
    bool default_server = false;
    // Socket options nginx's listen takes (0: the system's default).
    int backlog = 511;             // nginx's default on Linux
    std::uint64_t rcvbuf = 0, sndbuf = 0;
    bool deferred = false;         // TCP_DEFER_ACCEPT: accept() once the request's first bytes are in
    bool reuseport = false;        // SO_REUSEPORT
    bool ssl = false;              // `ssl`: HTTPS on this address (proxy/tls.hpp)
    bool http2 = false;            // `http2`: accepted with a warning; we speak HTTP/1.1
    std::string text() const;
};

// `server ADDR [weight=N] [max_fails=N] [fail_timeout=T] [backup];` in an upstream block.
struct UpstreamServer {
    std::string host;
    int port = 80;
    asio::ip::tcp::endpoint endpoint;   // host and port as an address to connect to
    int weight = 1;
    int max_fails = 1;
    Duration fail_timeout{10'000};
    bool backup = false;
    bool down = false;  // `down`: never chosen (kept in the list, as nginx does, for the hashing modules)
    SourceLocation where;
};

struct Upstream {
    std::string name;
    std::vector<UpstreamServer> servers;
    // Idle connections kept open to reuse, per worker process. nginx 1.29.7+
    // defaults to `keepalive 32`; 0 closes each connection after its response.
    int keepalive = 32;
    bool least_conn = false;  // `least_conn;`: else weighted round robin
    // A kept connection is closed after this many requests, or this long
    // in use, or this long idle (nginx's upstream keepalive_* directives).
    int keepalive_requests = 1000;
    Duration keepalive_time{3'600'000};
    Duration keepalive_timeout{60'000};
};

struct HeaderSetting {
    std::string name;
    std::string value;  // may hold variables: "$proxy_add_x_forwarded_for"
};

// `add_header NAME VALUE [always]`: a field the block adds to its answers.
struct AddedHeader {
    std::string name;
    std::string value;  // may hold variables; a value that expands to "" adds nothing
    bool always = false;  // else only to 200, 201, 204, 206, 301, 302, 303, 304, 307, 308
};

// `error_page CODE... [=[RESPONSE]] URI;`: what answers instead of an error.
struct ErrorPage {
    std::vector<int> codes;
    // The status the client gets: nullopt, the error's own; 0 (a bare "="),
    // whatever the page's answer has; else this one.
    std::optional<int> response;
    std::string target;  // "/50x.html" (with variables), "@name", or "http://..." (a redirect)
};

// One `proxy_redirect` rule: `default`, or FROM TO (FROM may hold
// variables, or be a regular expression "~RE" / "~*RE" whose captures TO uses).
struct ProxyRedirect {
    enum class Mode { Default, Replace } mode = Mode::Default;
    std::string from, to;  // Replace only
    std::shared_ptr<const Regex> regex;
};

// `proxy_pass http://HOST[:PORT][/URI]`: HOST is an upstream name or an address.
struct ProxyPass {
    std::string host;                   // as written: "app_server", "127.0.0.1"
    int port = 80;
    bool port_given = false;
    std::optional<std::string> uri;     // "/api/": replaces the matched location prefix
    const Upstream* upstream = nullptr; // when host names an upstream block
    asio::ip::tcp::endpoint endpoint;   // else: host and port as an address to connect to
    std::string proxy_host() const;     // $proxy_host: "app_server", "127.0.0.1:8000"
    // `proxy_pass http://$arg_to/`: the URL is made for each request
    // (proxy/exchange.cpp), and names an upstream block or an IP address
    // (we resolve no names at run time); the fields above are then filled
    // per request. Its URI part, if any, replaces the whole request URI.
    std::string variable_url;                      // "" when written without variables
    std::vector<const Upstream*> upstream_blocks;  // the blocks such a URL may name
};

// The settings a later stage's module keeps per block (stage 5: root,
// index, ...), copied into inner blocks like the rest (nginx's
// inheritance). The module derives its own struct from this.
struct ModuleSettings {
    virtual ~ModuleSettings() = default;
    virtual std::unique_ptr<ModuleSettings> copy() const = 0;
};

// Holds a block's ModuleSettings; copying it copies them.
class ModuleSettingsSlot {
public:
    ModuleSettingsSlot() = default;
    explicit ModuleSettingsSlot(std::unique_ptr<ModuleSettings> value) : value_(std::move(value)) {}
    ModuleSettingsSlot(const ModuleSettingsSlot& other) : value_(other.value_ ? other.value_->copy() : nullptr) {}
    ModuleSettingsSlot& operator=(const ModuleSettingsSlot& other) {
        if (this != &other) value_ = other.value_ ? other.value_->copy() : nullptr;
        return *this;
    }
    ModuleSettingsSlot(ModuleSettingsSlot&&) noexcept = default;
    ModuleSettingsSlot& operator=(ModuleSettingsSlot&&) noexcept = default;
    ModuleSettings* get() const { return value_.get(); }

private:
    std::unique_ptr<ModuleSettings> value_;
};

struct ReturnDirective {
    int code = 0;
    std::string text;  // the body, or the Location for 301, 302, 303, 307, 308
};

// The rewrite module's statements, run in the order written when their
// block (a server, then the chosen location) is reached: proxy/rewrite.hpp.
struct RewriteCondition {  // `if (...)`
    enum class Kind { NotEmpty, Equals, NotEquals, Matches, NotMatches } kind = Kind::NotEmpty;
    std::string subject;                 // "$http_x_forwarded_proto": a text with variables
    std::string value;                   // Equals, NotEquals: the text compared with (variables too)
    std::shared_ptr<const Regex> regex;  // Matches, NotMatches (`~`, `~*`, `!~`, `!~*`)
};

struct RewriteStep {
    enum class Kind { Set, Rewrite, Return, Break, If } kind = Kind::Set;
    std::string variable;                // Set: its name, without "$"
    std::string value;                   // Set: the value; Rewrite: the replacement (variables, $1..$9)
    std::shared_ptr<const Regex> regex;  // Rewrite: matched against $uri
    enum class Flag { None, Last, Break, Redirect, Permanent } flag = Flag::None;  // Rewrite
    ReturnDirective returned;            // Return
    RewriteCondition condition;          // If
    std::vector<RewriteStep> steps;      // If: the statements of its block
    SourceLocation where;
};

// `log_format NAME [escape=...] TEXT`: how an access log line is written.
struct LogFormat {
    std::string name;
    enum class Escape { Default, Json, None } escape = Escape::Default;
    std::string text;  // with $variables
};

// nginx's predefined format, "combined".
inline constexpr const char* combined_log_format_text =
    "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
    "\"$http_user_agent\"";

// `access_log PATH [FORMAT [if=CONDITION]]`: one file a block logs to.
struct AccessLogTarget {
    std::string path;                        // absolute, or "/dev/stdout"; may hold variables
    std::shared_ptr<const LogFormat> format;
    std::string condition;                   // `if=$var`: no line when it is "" or "0"
    int gzip_level = 0;                      // `gzip[=LEVEL]`: each line a gzip member; 0: plain
};

// `open_log_file_cache max=N [inactive=TIME] [min_uses=N] [valid=TIME]`:
// how many files of access_log paths with variables stay open.
struct LogFileCache {
    std::size_t max = 0;  // 0: off, each line opens and closes its file
    std::chrono::seconds inactive{10};
    int min_uses = 1;
};

// The ssl_ directives of http and server (proxy/tls.hpp): the certificate a
// server presents on `listen ... ssl`, and how TLS is spoken.
struct TlsSettings {
    std::string certificate, certificate_key;     // absolute paths; "": none
    std::set<std::string> protocols = {"TLSv1.2", "TLSv1.3"};  // nginx 1.23.4+'s default
    std::string ciphers = "HIGH:!aNULL:!MD5";     // for TLSv1.2 and older (TLSv1.3 has its own)
    bool prefer_server_ciphers = false;
    std::string session_cache = "none";           // "off", "none", "builtin[:N]", "shared:NAME:SIZE"
    Duration session_timeout{300'000};
    std::string dhparam;                          // "": none (ECDHE needs none)
    bool session_tickets = true;
};

// Every setting that http, server and location share; a level starts from a
// copy of its parent's (nginx's inheritance).
struct Settings {
    std::uint64_t client_max_body_size = 1024 * 1024;  // 0: no limit
    Duration client_header_timeout{60'000};
    Duration client_body_timeout{60'000};
    Duration send_timeout{60'000};                     // between two writes to the client
    Duration keepalive_timeout{75'000};                // 0: no keep-alive
    std::optional<long> keepalive_header;              // keepalive_timeout's second value: "Keep-Alive: timeout=N"
    int large_client_header_buffers_count = 4;
    std::size_t large_client_header_buffers_size = 8 * 1024;
    bool underscores_in_headers = false;
    // Empty: off. nginx's default is logs/access.log under its compiled-in
    // prefix; ours is the terminal (standard output), until the config names
    // a file. load_config() puts the default in.
    std::vector<AccessLogTarget> access_log;
    LogFileCache open_log_file_cache;
    // `error_log FILE` in http, server or location: where the errors of the
    // requests this block answers go (proxy/access_logs.hpp); "": the main
    // error log. `log_not_found off`: no line for a file that is not there.
    std::string error_log;
    bool log_not_found = true;
    std::vector<HeaderSetting> proxy_set_header;       // what this level adds to the defaults
    std::vector<AddedHeader> add_header;               // inherited as proxy_set_header is
    std::vector<ErrorPage> error_page;                 // and so is error_page
    // Tried in order, the first that matches rewrites; `proxy_redirect off`
    // empties the list (the default: one `default` rule).
    std::vector<ProxyRedirect> proxy_redirect = {ProxyRedirect{}};
    Duration proxy_connect_timeout{60'000};
    Duration proxy_read_timeout{60'000};
    Duration proxy_send_timeout{60'000};
    std::string proxy_http_version = "1.1";            // current nginx (1.29.7+); 1.0 before
    // Buffering (nginx's defaults): read the whole request before passing it
    // on, and read the response as fast as the upstream sends it, whatever
    // the client's speed. Memory first, then a temporary file.
    bool proxy_request_buffering = true;
    bool proxy_buffering = true;
    std::size_t client_body_buffer_size = 2 * memory_page_size();  // request body kept in memory: 8k on x86-64
    std::size_t proxy_buffer_size = 4 * 1024;          // for the response head (one page)
    int proxy_buffers_count = 8;                       // and the response body: 8 x 4k
    std::size_t proxy_buffers_size = 4 * 1024;
    // proxy_next_upstream: when to try the next server of the group.
    // nginx's default is "error timeout"; http_NNN retries on that status.
    struct NextUpstream {
        bool error = true, timeout = true, invalid_header = false, non_idempotent = false;
        std::vector<int> statuses;  // http_500, http_502, ...
        bool off = false;
    } proxy_next_upstream;
    int proxy_next_upstream_tries = 0;  // 0: as many as there are servers
    Duration proxy_next_upstream_timeout{0};  // no next try after this long since the first; 0: no limit
    // keepalive_disable: no keep-alive for these old browsers' bugs: "msie6"
    // (a POST from MSIE 4 to 6), "safari" (Safari on macOS).
    std::set<std::string> keepalive_disable = {"msie6"};
    // After this many requests, or this long, a kept-alive connection is
    // closed (after the answer), so that no client holds one forever.
    int keepalive_requests = 1000;
    Duration keepalive_time{3'600'000};
    std::size_t client_header_buffer_size = 1024;  // the first read of a head
    std::string client_body_temp_path;  // folders for bodies too large for memory; "": the system's
    std::string proxy_temp_path;
    bool client_body_in_file_only = false;  // on/clean: the body goes to a file, never memory...
    bool client_body_file_kept = false;     // ...and (on) the file stays after the request
    // Redirects we make ourselves ("/dir" -> "/dir/"): absolute, as nginx's
    // by default ("http://host:port/dir/"), with the Host's name or the server_name.
    bool absolute_redirect = true;
    bool port_in_redirect = true;
    bool server_name_in_redirect = false;
    // What goes upstream and what comes back.
    std::string proxy_method;                    // "": the client's method
    bool proxy_pass_request_headers = true;      // off: none of the client's headers
    bool proxy_pass_request_body = true;         // off: the body is read but not passed on
    std::uint64_t proxy_max_temp_file_size = 1024 * 1024 * 1024;  // 0: the answer never goes to a file
    std::vector<std::string> proxy_hide_header;  // not passed to the client
    std::vector<std::string> proxy_pass_header;  // passed although nginx hides them (X-Accel-*, X-Pad)
    bool proxy_intercept_errors = false;         // an upstream's 3xx-5xx answered by error_page
    // `resolver ADDRESS... [valid=TIME]`, resolver_timeout: the DNS servers
    // for the names proxy_pass makes at run time (proxy/resolver.hpp).
    std::vector<asio::ip::udp::endpoint> resolver;
    std::optional<Duration> resolver_valid;  // else each answer's TTL
    Duration resolver_timeout{30'000};
    // The charset filter: `charset utf-8` adds "; charset=utf-8" to the
    // Content-Type of these types when it has none (no conversion here).
    std::string charset;                         // "": off
    std::vector<std::string> charset_types = {"text/html", "text/xml", "text/plain", "text/vnd.wap.wml",
                                              "application/javascript", "application/rss+xml"};
    // The gzip filter (proxy/gzip.hpp).
    bool gzip = false;
    std::vector<std::string> gzip_types;         // besides text/html; "*": any
    std::uint64_t gzip_min_length = 20;
    std::set<std::string> gzip_proxied = {"off"};
    bool gzip_vary = false;                      // also for stage 5's gzip_static
    int gzip_comp_level = 1;
    int gzip_http_version = 11;                  // 1.1 as 11, 1.0 as 10
    TlsSettings tls;  // used from the server level (http's are inherited by each server)
    // The module's own settings (stage 5's root, index, ...), if a module was loaded.
    ModuleSettingsSlot module;
};

struct Location {
    bool exact = false;     // `location = /path`
    bool no_regex = false;  // `location ^~ /path`: when it is the longest prefix, no regex is tried
    std::string prefix;     // "/", "/api/"; for a regex, its text
    std::shared_ptr<const Regex> regex;  // `location ~ RE` and `~* RE` (caseless); nullptr for the others
    std::string name;       // `location @app`: "@app", a named location that no
                            // path matches; only try_files sends requests there
    std::vector<Location> locations;  // locations nested inside this one (routing.hpp)
    std::optional<ProxyPass> proxy_pass;
    std::vector<RewriteStep> rewrites;  // set, rewrite, return, break, if: in the order written
    Settings settings;
    SourceLocation where;
};

// One word of `server_name`, sorted as nginx searches them (routing.hpp).
struct ServerName {
    enum class Kind { Exact, LeadingWildcard, TrailingWildcard, Regex };
    Kind kind = Kind::Exact;
    std::string text;  // as written: "example.com", "*.example.com", ".example.com", "mail.*", "~^www\\d+\\."
    // Lower case, what a host is compared with: "example.com" (Exact),
    // ".example.com" (the end a host needs for "*.example.com" and
    // ".example.com"), "mail." (the start a host needs for "mail.*").
    std::string key;
    std::shared_ptr<const Regex> regex;  // `server_name ~RE`: always without case, as nginx
};

struct Server {
    std::vector<ListenAddress> listen;
    std::vector<ServerName> server_names;  // never empty: without server_name, nginx's "" (requests without a Host)
    std::vector<Location> locations;
    std::vector<RewriteStep> rewrites;  // run before any location is chosen
    Settings settings;
    SourceLocation where;
};

struct Config {
    std::filesystem::path file;    // the main config file
    std::filesystem::path prefix;  // -p, else the file's folder: root, alias, logs and pid resolve against it
    std::vector<std::filesystem::path> files;  // every file read, the main one first (for -T)
    bool daemon = false;           // `daemon on;`: the master leaves the terminal (nginx's default is on)
    int worker_processes = 1;
    int worker_connections = 512;
    std::string pid;                      // "" (the default here): no pid file
    std::string error_log = "stderr";     // nginx's default is logs/error.log
    std::string error_log_level = "error";
    std::optional<std::string> user;      // `user NAME [GROUP]`: the workers' user when started as root
    std::optional<std::string> group;
    int worker_rlimit_nofile = 0;         // 0: the limit we were started with
    std::vector<Upstream> upstreams;
    std::vector<Server> servers;
    std::vector<std::string> warnings;    // what nginx would let pass but is a trap: its "[warn]" lines
    std::map<std::string, std::shared_ptr<const LogFormat>> log_formats;  // "combined" and the log_format lines

    // A relative path against the prefix (root, alias, logs, pid, temp folders)...
    std::filesystem::path resolve(const std::string& path) const;
    // ...or, as nginx reads include, certificates and keys, against the config file's folder.
    std::filesystem::path resolve_beside_config(const std::string& path) const;
};

struct ConfigModule;  // directive_table.hpp: what a later stage adds to the language

// Where a configuration comes from: nginx's -c, -p, -g and -e.
struct ConfigSource {
    std::filesystem::path file;                  // -c: relative to the prefix when -p is given
    std::optional<std::filesystem::path> prefix; // -p; without it, the file's folder
    std::string globals;                         // -g: main-level directives, read before the file
    std::string error_log;                       // -e: the error log when the config names none
};

// Reads and checks the configuration (the file, its includes, -g), knowing
// the directives of `module` (if any) besides stage 4's own. Throws ConfigError.
Config load_config(const ConfigSource& source, const ConfigModule* module = nullptr);
Config load_config(const std::filesystem::path& file, const ConfigModule* module = nullptr);

// "30s", "1m", "500ms", "1h", a bare number of seconds. nullopt if invalid.
std::optional<Duration> parse_duration(const std::string& text);
// "8k", "1m", "4g", a bare number of bytes. nullopt if invalid.
std::optional<std::uint64_t> parse_size(const std::string& text);

}  // namespace webstack::stage4
