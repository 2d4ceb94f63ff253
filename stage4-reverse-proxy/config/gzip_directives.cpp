// The directives of nginx's gzip filter (proxy/gzip.hpp), one row each.
// Built without zlib, every one of them is refused with one line naming
// the package (gzip_vary stays: stage 5's gzip_static uses it too).
#include "config/directive_table.hpp"
#include "config/values.hpp"

namespace webstack::stage4 {

namespace {

using Store = std::function<void(const Directive&, Level&)>;

#ifdef WEBSTACK_HAVE_ZLIB
constexpr OptionalLibrary zlib{true, "zlib", "zlib1g-dev"};
#else
constexpr OptionalLibrary zlib{false, "zlib", "zlib1g-dev"};
#endif

DirectiveSpec gzip_row(std::string name, std::size_t min, std::size_t max, Store store) {
    return needs_library({std::move(name), in::http_server_location, min, max, false, false, in::Main, std::move(store)},
                         zlib);
}

void store_gzip_proxied(const Directive& directive, Level& level) {
    static const std::set<std::string> known = {"off", "expired", "no-cache", "no-store", "private",
                                                "no_last_modified", "no_etag", "auth", "any"};
    std::set<std::string> values;
    for (const auto& value : directive.arguments) {
        if (!known.contains(value)) invalid_value(directive, value);
        values.insert(value);
    }
    level.settings.gzip_proxied = std::move(values);
}

}  // namespace

const std::vector<DirectiveSpec>& gzip_directives() {
    static const std::vector<DirectiveSpec> table = {
        gzip_row("gzip", 1, 1, [](const Directive& directive, Level& level) { level.settings.gzip = on_off_argument(directive); }),
        gzip_row("gzip_types", 1, many,
                 [](const Directive& directive, Level& level) { level.settings.gzip_types = directive.arguments; }),
        gzip_row("gzip_min_length", 1, 1,
                 [](const Directive& directive, Level& level) { level.settings.gzip_min_length = size_argument(directive); }),
        gzip_row("gzip_proxied", 1, 9, store_gzip_proxied),
        gzip_row("gzip_comp_level", 1, 1,
                 [](const Directive& directive, Level& level) {
                     const int value = number_argument(directive, directive.arguments[0]);
                     if (value < 1 || value > 9) invalid_value(directive, directive.arguments[0]);
                     level.settings.gzip_comp_level = value;
                 }),
        gzip_row("gzip_http_version", 1, 1,
                 [](const Directive& directive, Level& level) {
                     const auto& value = directive.arguments[0];
                     if (value != "1.0" && value != "1.1") invalid_value(directive, value);
                     level.settings.gzip_http_version = value == "1.0" ? 10 : 11;
                 }),
        // zlib's working memory (nginx's own buffers), and the old-browser
        // rule: accepted, nothing more (stage4-reverse-proxy/README.md).
        gzip_row("gzip_buffers", 2, 2, [](const Directive& directive, Level&) {
            (void)number_argument(directive, directive.arguments[0]);
            (void)size_argument(directive, 1);
        }),
        gzip_row("gzip_disable", 1, many, [](const Directive& directive, Level&) {
            for (const auto& value : directive.arguments)
                if (value != "msie6") invalid_value(directive, value + "\" (only \"msie6\" here");
        }),
        {"gzip_vary", in::http_server_location, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) { level.settings.gzip_vary = on_off_argument(directive); }},
    };
    return table;
}

}  // namespace webstack::stage4
