// The command line of an nginx-like program (-c -p -e -g -t -T -q -v -V
// -s, as nginx's), then a master
// process with its workers. stage4-reverse-proxy's main() is one call to
// run_command(); stage 5 makes the same call with its static-file module.
#pragma once

#include "config/config.hpp"
#include "config/directive_table.hpp"
#include "proxy/content_handler.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace webstack::stage4 {

// What a later stage adds to the proxy, as a module adds to nginx: more
// directives, and what answers the locations that do not proxy.
struct Module {
    ConfigModule language;  // its directives and its per-block settings
    // Builds the handler for a loaded config; throws ConfigError when what
    // the config asks cannot be done.
    std::function<std::shared_ptr<const ContentHandler>(const Config&)> load;
    bool static_files = false;  // what -V reports: stage 5's module is built in
};

struct Program {
    std::string name;         // "stage4-reverse-proxy": in messages and the process title
    std::string description;  // for --help
    Module module;            // empty for stage 4
};

int run_command(int argc, char** argv, const Program& program);

}  // namespace webstack::stage4
