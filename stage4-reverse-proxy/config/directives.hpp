// Which directives exist, where each may be written, and how many arguments
// it takes: the table nginx keeps in each module's ngx_command_t list.
#pragma once

#include "config/syntax.hpp"

#include <vector>

namespace webstack::stage4 {

// Checks every directive of the main file (and, recursively, of its
// blocks) against the table. Throws ConfigError worded as nginx's:
//   unknown directive "proxy_pas"
//   "proxy_pass" directive is not allowed here
//   invalid number of arguments in "listen" directive
//   directive "server" has no opening "{"
//   directive "listen" is not terminated by ";"
void check_directives(const std::vector<Directive>& main_block);

}  // namespace webstack::stage4
