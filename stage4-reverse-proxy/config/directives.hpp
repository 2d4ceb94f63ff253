// Which directives exist, where each may be written, and how many arguments
// it takes: the table nginx keeps in each module's ngx_command_t list.
#pragma once

#include "config/syntax.hpp"

#include <string>
#include <vector>

namespace webstack::stage4 {

// The blocks a directive can stand in: in::Http | in::Server, say.
namespace in {
enum Context : unsigned {
    Main = 1,
    Events = 2,
    Http = 4,
    Upstream = 8,
    Server = 16,
    Location = 32,
    Types = 64,  // inside `types { }`: free-form lines "text/html html htm;"
};
inline constexpr unsigned http_server_location = Http | Server | Location;
}  // namespace in

// One entry of the table: where the directive may stand, how many
// arguments it takes, and whether it opens a block (and which).
struct DirectiveRule {
    unsigned contexts;
    std::size_t min_arguments, max_arguments;
    bool has_block;
    in::Context opens = in::Main;  // the context inside the block
};

// A directive a later stage adds to the language, as an nginx module adds
// its own (stage 5's `root`, `alias`, `index`, ...).
struct ModuleDirective {
    std::string name;
    DirectiveRule rule;
};

// Checks every directive of the main file (and, recursively, of its
// blocks) against the table. Throws ConfigError worded as nginx's:
//   unknown directive "proxy_pas"
//   "proxy_pass" directive is not allowed here
//   invalid number of arguments in "listen" directive
//   directive "server" has no opening "{"
//   directive "listen" is not terminated by ";"
void check_directives(const std::vector<Directive>& main_block, const std::vector<ModuleDirective>& modules = {});

}  // namespace webstack::stage4
