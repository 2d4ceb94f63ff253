// Which file a URI names: nginx's `root` and `alias`, and the one check
// nginx does not make (an alias must not reach a sibling of its folder).
#pragma once

#include "config/config.hpp"
#include "static/settings.hpp"

#include <string>

namespace webstack::stage5 {

// Where a URI's file is: the folder it must stay inside, and its path below
// it. safe_open.hpp opens `relative` from inside `base` and refuses any path
// that would leave it (.., symlinks).
struct FilePath {
    std::string base;      // "/srv/site/static"
    std::string relative;  // "css/site.css"; empty: `base` itself
    bool refused = false;  // the URI cannot name a file in `base` at all
    std::string full() const { return relative.empty() ? base : base + "/" + relative; }
};

// The file for `uri` (already decoded and normalised, so it starts with "/"
// and holds no "..") in `location` (nullptr: none matched):
//
//   root /srv/site;                         /css/a.css -> base /srv/site, relative css/a.css
//   location /static/ { alias /app/files/; } /static/a.css -> base /app/files, relative a.css
//
// root: the whole URI goes after the root. alias: the part of the URI after
// the location's prefix goes after the alias (an exact location, `location
// = /x`, leaves nothing after it: the alias itself is the file). `base`
// never ends with "/" (except the folder "/" itself).
//
// nginx glues the alias and the rest together as strings, so
// `location /static { alias /app/static; }` turns /staticx.css into
// /app/staticx.css: a file beside the folder, not in it (the "off-by-slash"
// leak). We glue the same way, then refuse (`refused`) a result that is not
// inside the alias's folder.
FilePath map_uri(const StaticSettings& settings, const stage4::Location* location, const std::string& uri);

}  // namespace webstack::stage5
