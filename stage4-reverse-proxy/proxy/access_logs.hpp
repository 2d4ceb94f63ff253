// nginx's access logs: `log_format NAME [escape=default|json|none] STRING...`
// in http, and `access_log PATH [FORMAT [if=CONDITION]]` (or `off`) in any
// block; a block with access_log lines inherits none of the outer ones,
// and a block may write several. The format is text with $variables
// (variables.hpp, plus what only the end of a request knows: $status,
// $body_bytes_sent, $request_time); "combined" is predefined:
//
//   $remote_addr - $remote_user [$time_local] "$request" $status
//   $body_bytes_sent "$http_referer" "$http_user_agent"
//
// The files are opened once, by the master, before the workers are forked
// (a worker that can no longer open them, after dropping root, still has
// them), and opened again on USR1 (`-s reopen`), for logrotate.
#pragma once

#include "config/config.hpp"
#include "proxy/variables.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace webstack::stage4 {

// What only the end of a request knows.
struct RequestEnd {
    int status = 0;
    std::size_t body_bytes = 0;
    std::chrono::steady_clock::duration time{};  // since the request's head arrived
};

// One line of `format`, its variables filled in and escaped as it says.
std::string format_log_line(const LogFormat& format, const RequestContext& context, const RequestEnd& end);

// Opens every file the config's access_log lines name (and stdout for
// "/dev/stdout"). False, with nginx's message in `problem`, when one cannot be.
bool open_access_logs(const Config& config, std::string& problem);
void reopen_access_logs();

// An error of the request `context` is answering, in nginx's error log
// format: to its block's `error_log FILE`, else to the main error log.
void log_request_error(const RequestContext& context, std::string_view message);

// Writes the request's line to each of `logs` whose condition holds.
void write_access_logs(const std::vector<AccessLogTarget>& logs, const RequestContext& context, const RequestEnd& end);

}  // namespace webstack::stage4
