// Which file a URI names, in-process (static/uri_mapping.hpp): root puts
// the whole URI after it, alias puts what follows the location's prefix,
// and an alias never reaches a sibling of its folder.
#include "catch.hpp"
#include "static/uri_mapping.hpp"

using namespace webstack::stage5;
using webstack::stage4::Location;

namespace {
StaticSettings rooted(std::string root) {
    StaticSettings settings;
    settings.root = std::move(root);
    return settings;
}
StaticSettings aliased(std::string alias) {
    StaticSettings settings = rooted("/srv/root-not-used");
    settings.alias = std::move(alias);
    return settings;
}
Location location(std::string prefix, bool exact = false) {
    Location result;
    result.prefix = std::move(prefix);
    result.exact = exact;
    return result;
}
// "base | relative", or "refused".
std::string mapped(const StaticSettings& settings, const Location* where, const std::string& uri) {
    const auto path = map_uri(settings, where, uri);
    return path.refused ? "refused" : path.base + " | " + path.relative;
}
}  // namespace

TEST_CASE("root: the whole URI goes after the root", "[stage5][ex.stage5.root_alias]") {
    const auto statics = location("/static/");
    CHECK(mapped(rooted("/srv/site"), &statics, "/static/css/a.css") == "/srv/site | static/css/a.css");
    CHECK(mapped(rooted("/srv/site"), nullptr, "/index.html") == "/srv/site | index.html");
    CHECK(mapped(rooted("/srv/site/"), nullptr, "/index.html") == "/srv/site | index.html");  // no "//"
    CHECK(mapped(rooted("/srv/site"), nullptr, "/") == "/srv/site | ");  // the root folder itself
    CHECK(mapped(rooted("/"), nullptr, "/etc/motd") == "/ | etc/motd");
    CHECK(map_uri(rooted("/srv/site"), nullptr, "/a/b.txt").full() == "/srv/site/a/b.txt");
}

TEST_CASE("alias: what follows the location's prefix goes after the alias", "[stage5][ex.stage5.root_alias]") {
    const auto media = location("/media/");
    CHECK(mapped(aliased("/app/assets/"), &media, "/media/logo.txt") == "/app/assets | logo.txt");
    CHECK(mapped(aliased("/app/assets/"), &media, "/media/img/a.png") == "/app/assets | img/a.png");
    CHECK(mapped(aliased("/app/assets/"), &media, "/media/") == "/app/assets/ | ");  // the alias itself, as written
    // An exact location names one file: the alias is that file.
    const auto icon = location("/favicon.ico", true);
    CHECK(map_uri(aliased("/app/static/favicon.ico"), &icon, "/favicon.ico").full() == "/app/static/favicon.ico");
    const auto files = location("/files/");
    CHECK(mapped(aliased("/"), &files, "/files/etc/motd") == "/ | etc/motd");
    // No location (none matched): the root, even if an alias is set.
    CHECK(mapped(aliased("/app/assets/"), nullptr, "/media/logo.txt") == "/srv/root-not-used | media/logo.txt");
}

TEST_CASE("alias: the off-by-slash sibling is refused", "[stage5][ex.stage5.root_alias]") {
    // location /static { alias /app/static; }: nginx turns /staticx.css into
    // /app/staticx.css, a file beside the folder.
    const auto statics = location("/static");
    CHECK(mapped(aliased("/app/static"), &statics, "/staticx.css") == "refused");
    CHECK(mapped(aliased("/app/static"), &statics, "/static_backup/db.sql") == "refused");
    CHECK(mapped(aliased("/app/static"), &statics, "/static/x.css") == "/app/static | x.css");
    CHECK(mapped(aliased("/app/static"), &statics, "/static") == "/app/static | ");
    // With the slash on the alias only, /static../secret.txt becomes ../secret.txt
    // below the folder: that one safe_open.hpp refuses (it leaves the folder).
    CHECK(mapped(aliased("/app/static/"), &statics, "/static../secret.txt") == "/app/static | ../secret.txt");
}
