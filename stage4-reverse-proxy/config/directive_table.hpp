// The directives of the language, one row each, as nginx's modules declare
// them (ngx_command_t): the name, the blocks it may stand in, how many
// arguments it takes, whether it opens a block, whether it may be written
// twice in one block, and how its value is stored into the settings of the
// block it stands in. Inheritance is nginx's: an inner block starts with a
// copy of the outer block's settings and overrides what it writes itself.
//
// Stage 4's rows are core_directives(); stage 5 adds its own rows (root,
// alias, index, ...) as a module does. Adding a directive is one row here
// and one field in the settings it stores into.
#pragma once

#include "config/config.hpp"
#include "config/syntax.hpp"

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
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
    Types = 64,  // inside `types { }` (and charset_map): free-form lines "text/html html htm;"
    If = 128,    // inside `if (...) { }`: the rewrite module's statements only, here
};
inline constexpr unsigned http_server_location = Http | Server | Location;
}  // namespace in

// The block a settings directive is being stored into.
struct Level {
    Settings& settings;                  // a copy of the outer block's, until overridden
    const Location* location;            // the location block being read; nullptr in http and server
    Config& config;                      // its folder resolves relative paths; its warnings collect "[warn]"s
    std::set<std::string> written_here;  // the directives already stored from this very block
};

struct DirectiveSpec {
    std::string name;
    unsigned contexts = 0;
    std::size_t min_arguments = 0, max_arguments = 0;
    bool repeatable = false;       // may stand more than once in one block
    bool has_block = false;        // opens a block...
    in::Context opens = in::Main;  // ...of this context
    // Stores the value into the settings of the block it stands in; throws
    // ConfigError in nginx's words. Empty for the directives that shape the
    // configuration itself (http, server, location, listen, upstream, ...),
    // which config.cpp reads.
    std::function<void(const Directive&, Level&)> store;
};

constexpr std::size_t many = 1000;  // "any number of arguments"

// What a row of an optional library's module needs to know about it.
struct OptionalLibrary {
    bool built;           // this build has it (WEBSTACK_HAVE_...)
    const char* name;     // "zlib"
    const char* package;  // "zlib1g-dev"
};

// A row of a module that needs `library`: in a build without it, storing
// refuses the directive with one line naming the package to install.
DirectiveSpec needs_library(DirectiveSpec row, OptionalLibrary library);

// What a later stage adds to the language, as an nginx module adds its
// commands and its per-block configuration.
struct ConfigModule {
    std::vector<DirectiveSpec> directives;
    // The module's settings before any of its directives; they start in
    // `http` and every inner block gets a copy.
    std::function<std::unique_ptr<ModuleSettings>(const Config&)> defaults;
};

// Stage 4's own directives: the proxy's, and (deployment_directives.cpp)
// those that tune the server itself.
const std::vector<DirectiveSpec>& core_directives();
const std::vector<DirectiveSpec>& deployment_directives();
const std::vector<DirectiveSpec>& gzip_directives();
const std::vector<DirectiveSpec>& tls_directives();

// Every row that applies: stage 4's, then a module's.
class DirectiveTable {
public:
    explicit DirectiveTable(const ConfigModule* module);
    // The row for `name` written in `context`; nullptr for an unknown name.
    // (A name may have one row per context: `server` is a block in http
    // and an address line in upstream.) Throws nginx's "not allowed here"
    // when the name exists but not in this context.
    const DirectiveSpec* find(const Directive& directive, in::Context context) const;

    // Checks every directive of the main file and, recursively, of its
    // blocks: unknown names, contexts, argument counts, blocks, duplicates.
    // Throws ConfigError worded as nginx's:
    //   unknown directive "proxy_pas"
    //   "proxy_pass" directive is not allowed here
    //   invalid number of arguments in "listen" directive
    //   directive "server" has no opening "{"
    //   directive "listen" is not terminated by ";"
    //   "client_max_body_size" directive is duplicate
    void check(const std::vector<Directive>& main_block) const;

    // Stores every settings directive of `block` (a block of `context`)
    // into `level`, in the order written.
    void store_settings(const std::vector<Directive>& block, in::Context context, Level& level) const;

private:
    void check_block(const std::vector<Directive>& block, in::Context context) const;
    std::vector<const DirectiveSpec*> rows_;
};

}  // namespace webstack::stage4
