// The static-file directives of nginx's http core, static, index,
// autoindex, gzip_static and headers modules: stage 5's rows of stage 4's
// directive table, and the settings they store into. Stage 4 keeps these
// settings per block (http, server, location), with nginx's inheritance.
#pragma once

#include "config/config.hpp"
#include "config/directive_table.hpp"
#include "static/autoindex.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace webstack::stage5 {

using stage4::ConfigError;
using stage4::Duration;

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

struct StaticSettings final : stage4::ModuleSettings {
    // Where files come from: `root` (the whole URI is appended) or, in a
    // location, `alias` (the part after the location's prefix is).
    std::string root;                     // absolute; nginx's default is <prefix>/html
    std::optional<std::string> alias;
    std::vector<std::string> index = {"index.html"};
    std::vector<std::string> try_files;   // empty: none; else files..., then the fallback
    bool autoindex = false;
    AutoindexFormat autoindex_format = AutoindexFormat::Html;
    bool autoindex_exact_size = true;
    bool autoindex_localtime = false;
    std::shared_ptr<const MimeTypes> types;
    std::string default_type = "text/plain";
    bool sendfile = false;                // nginx's default (Debian's nginx.conf turns it on)
    Expires expires;
    bool gzip_static = false;
    bool etag = true;
    enum class IfModifiedSince { Off, Exact, Before } if_modified_since = IfModifiedSince::Exact;
    std::optional<int> max_ranges;        // nullopt: no limit; 0: ranges off
    Symlinks symlinks = Symlinks::InsideRoot;

    const std::string& type_of(const std::string& file_name) const;
    std::unique_ptr<stage4::ModuleSettings> copy() const override { return std::make_unique<StaticSettings>(*this); }
};

// What stage 5 adds to the language: its directives, and StaticSettings in
// every block (nginx's defaults, with the root at <config folder>/html).
stage4::ConfigModule static_language();

// The static settings of a block of a config read with static_language().
const StaticSettings& static_settings(const stage4::Settings& block);

// The types nginx knows with no `types` block: text/html, image/gif, image/jpeg.
std::shared_ptr<const MimeTypes> default_mime_types();

}  // namespace webstack::stage5
