// What the master and its workers do to themselves before they serve, as
// nginx's directives ask: create the temporary folders (client_body_temp_path,
// proxy_temp_path), leave the terminal (daemon on), give root up in the
// workers (user).
#pragma once

#include "config/config.hpp"

namespace webstack::stage4 {

// Creates the folders; throws ConfigError (`mkdir() "..." failed (...)`).
void create_temp_folders(const Config& config);

// nginx's `daemon on`: the master leaves the terminal and runs in the
// background; the command returns at once. `keep_stderr`: the error log is
// the terminal's standard error. False when fork() fails.
bool become_daemon(bool keep_stderr);

// `user NAME [GROUP]` in a worker started by root: nginx's workers give up
// root before they touch a request. False (and logged) when it cannot.
bool switch_user(const Config& config);

}  // namespace webstack::stage4
