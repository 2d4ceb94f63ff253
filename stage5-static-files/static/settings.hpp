// The static-file directives of nginx's http core, static, index,
// autoindex, gzip_static and headers modules, read into plain structs.
// Stage 4 keeps them per level (http, server, location) with nginx's
// inheritance; this file says which exist and what their values mean.
#pragma once

#include "config/config.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace webstack::stage5 {

using stage4::ConfigError;
using stage4::Duration;

// The directives stage 5 adds to the language, for stage 4's checker.
std::vector<stage4::ModuleDirective> static_directives();

// File name extension -> MIME type, from `types { }` blocks (mime.types).
using MimeTypes = std::map<std::string, std::string>;

// `expires`: how long a client may keep the file without asking again.
struct Expires {
    enum class Kind { Off, Epoch, Max, Seconds } kind = Kind::Off;
    std::chrono::seconds seconds{0};  // Seconds only; may be negative ("no-cache")
};

// Which symlinks a path may go through (`disable_symlinks`).
enum class Symlinks {
    InsideRoot,  // our default: followed only while they stay under the root or alias
    Never,       // `disable_symlinks on`: none at all (nginx's "on")
    Always,      // `disable_symlinks off`: followed anywhere (nginx's default)
};

struct StaticSettings {
    // Where files come from: `root` (the whole URI is appended) or, in a
    // location, `alias` (the part after the location's prefix is).
    std::string root;                     // absolute; nginx's default is <prefix>/html
    std::optional<std::string> alias;
    std::vector<std::string> index = {"index.html"};
    std::vector<std::string> try_files;   // empty: none; else files..., then the fallback
    bool autoindex = false;
    std::shared_ptr<const MimeTypes> types;
    std::string default_type = "text/plain";
    bool sendfile = false;                // nginx's default (Debian's nginx.conf turns it on)
    Expires expires;
    bool gzip_static = false;
    bool gzip_vary = false;
    bool etag = true;
    enum class IfModifiedSince { Off, Exact, Before } if_modified_since = IfModifiedSince::Exact;
    std::optional<int> max_ranges;        // nullopt: no limit; 0: ranges off
    Symlinks symlinks = Symlinks::InsideRoot;

    const std::string& type_of(const std::string& file_name) const;
};

// Reads the static settings of one level. `location` is nullptr for a
// server's own settings. Throws ConfigError. Adds to `warnings` what nginx
// would let pass but is a trap (the "off-by-slash" alias).
StaticSettings read_static_settings(const stage4::Config& config, const stage4::Settings& level,
                                    const stage4::Settings& parent, const stage4::Location* location,
                                    std::vector<std::string>& warnings);

// The types nginx knows with no `types` block: text/html, image/gif, image/jpeg.
std::shared_ptr<const MimeTypes> default_mime_types();

}  // namespace webstack::stage5
