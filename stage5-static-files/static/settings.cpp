#include "static/settings.hpp"

#include "config/values.hpp"

#include <algorithm>
#include <cctype>

namespace webstack::stage5 {

using stage4::Directive;
namespace in = stage4::in;

std::shared_ptr<const MimeTypes> default_mime_types() {
    static const auto types =
        std::make_shared<const MimeTypes>(MimeTypes{{"html", "text/html"}, {"gif", "image/gif"}, {"jpg", "image/jpeg"}});
    return types;
}

const std::string& StaticSettings::type_of(const std::string& file_name) const {
    const auto dot = file_name.rfind('.');
    const auto slash = file_name.rfind('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return default_type;
    std::string extension = file_name.substr(dot + 1);
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto found = types->find(extension);
    return found == types->end() ? default_type : found->second;
}

namespace {

using stage4::invalid_value;
using stage4::on_off_argument;

// `types { text/css css; image/png png; }`: each line is a type, then its extensions.
std::shared_ptr<const MimeTypes> read_types(const Directive& directive) {
    auto types = std::make_shared<MimeTypes>();
    for (const auto& line : *directive.block) {
        if (line.block) throw ConfigError("unexpected \"{\" in \"types\" block", line.where);
        for (auto extension : line.arguments) {
            std::transform(extension.begin(), extension.end(), extension.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            (*types)[extension] = line.name;  // nginx: a later line wins, with a warning
        }
    }
    return types;
}

Expires read_expires(const Directive& directive) {
    const auto& value = directive.arguments[0];
    if (value == "off") return {};
    if (value == "epoch") return {Expires::Kind::Epoch, {}};
    if (value == "max") return {Expires::Kind::Max, {}};
    std::string text = value;
    bool negative = false;
    if (text.starts_with('-') || text.starts_with('+')) {
        negative = text[0] == '-';
        text.erase(0, 1);
    }
    const auto duration = stage4::parse_duration(text);
    if (!duration) invalid_value(directive, value);
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(*duration);
    return {Expires::Kind::Seconds, negative ? -seconds : seconds};
}

StaticSettings& settings_of(stage4::Level& level) { return *static_cast<StaticSettings*>(level.settings.module.get()); }

// A row that stores an on/off argument into a StaticSettings field.
stage4::DirectiveSpec on_off_row(std::string name, bool StaticSettings::*field) {
    return {std::move(name), in::http_server_location, 1, 1, false, false, in::Main,
            [field](const Directive& directive, stage4::Level& level) {
                settings_of(level).*field = on_off_argument(directive);
            }};
}

// nginx refuses root and alias in one location, naming the one written first.
void refuse_root_with_alias(const Directive& directive, const stage4::Level& level) {
    const std::string other = directive.name == "root" ? "alias" : "root";
    if (level.written_here.contains(other))
        throw ConfigError("\"" + directive.name + "\" directive is duplicate, \"" + other +
                              "\" directive was specified earlier",
                          directive.where);
}

void store_root(const Directive& directive, stage4::Level& level) {
    refuse_root_with_alias(directive, level);
    settings_of(level).root = level.config.resolve(directive.arguments[0]).string();
}

void store_alias(const Directive& directive, stage4::Level& level) {
    refuse_root_with_alias(directive, level);
    const auto& alias = directive.arguments[0];
    const auto& location = *level.location;  // alias stands only in a location
    if (location.exact && alias.ends_with('/'))
        level.config.warnings.push_back("\"alias\" " + alias + " of an exact location ends with \"/\" in " +
                                        directive.where.text());
    // The classic trap: `location /static { alias /app/static/; }` lets
    // "/static../secret" become "/app/static/../secret" in real nginx. Ours
    // refuses such requests at run time; say it anyway.
    if (!location.exact && !location.prefix.ends_with('/') && alias.ends_with('/'))
        level.config.warnings.push_back("location \"" + location.prefix + "\" does not end with \"/\" but its alias \"" +
                                        alias + "\" does: in nginx, \"" + location.prefix +
                                        "../\" would reach outside the alias (this server refuses such paths) in " +
                                        directive.where.text());
    settings_of(level).alias = level.config.resolve(alias).string();
}

void store_index(const Directive& directive, stage4::Level& level) {
    for (const auto& name : directive.arguments) {
        if (name.empty()) throw ConfigError("index \"\" in \"index\" directive is invalid", directive.where);
    }
    settings_of(level).index = directive.arguments;
}

void store_try_files(const Directive& directive, stage4::Level& level) {
    const auto& fallback = directive.arguments.back();
    if (fallback.starts_with('=')) {
        const auto code = fallback.substr(1);
        if (code.empty() || code.size() > 3 || code.find_first_not_of("0123456789") != std::string::npos)
            invalid_value(directive, fallback);
    }
    settings_of(level).try_files = directive.arguments;
}

void store_gzip_static(const Directive& directive, stage4::Level& level) {
    if (directive.arguments[0] == "always")
        throw ConfigError("\"gzip_static always\" is not supported (on or off)", directive.where);
    settings_of(level).gzip_static = on_off_argument(directive);
}

void store_if_modified_since(const Directive& directive, stage4::Level& level) {
    using Mode = StaticSettings::IfModifiedSince;
    const auto& value = directive.arguments[0];
    auto& mode = settings_of(level).if_modified_since;
    if (value == "off") mode = Mode::Off;
    else if (value == "exact") mode = Mode::Exact;
    else if (value == "before") mode = Mode::Before;
    else invalid_value(directive, value);
}

void store_max_ranges(const Directive& directive, stage4::Level& level) {
    const auto& value = directive.arguments[0];
    if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos)
        invalid_value(directive, value);
    settings_of(level).max_ranges = std::stoi(value);
}

void store_disable_symlinks(const Directive& directive, stage4::Level& level) {
    const auto& value = directive.arguments[0];
    if (value == "on") settings_of(level).symlinks = Symlinks::Never;
    else if (value == "off") settings_of(level).symlinks = Symlinks::Always;
    else throw ConfigError("\"disable_symlinks " + value + "\" is not supported (on or off)", directive.where);
}

std::vector<stage4::DirectiveSpec> static_directives() {
    using stage4::many;
    const unsigned anywhere = in::http_server_location;
    const auto row = [](std::string name, unsigned contexts, std::size_t min, std::size_t max,
                        std::function<void(const Directive&, stage4::Level&)> store) {
        return stage4::DirectiveSpec{std::move(name), contexts, min, max, false, false, in::Main, std::move(store)};
    };
    return {
        row("root", anywhere, 1, 1, store_root),
        row("alias", in::Location, 1, 1, store_alias),
        row("index", anywhere, 1, many, store_index),
        row("try_files", in::Server | in::Location, 2, many, store_try_files),
        on_off_row("autoindex", &StaticSettings::autoindex),
        row("autoindex_format", anywhere, 1, 1,
            [](const Directive& directive, stage4::Level& level) {
                static const std::map<std::string, AutoindexFormat> formats = {
                    {"html", AutoindexFormat::Html}, {"xml", AutoindexFormat::Xml},
                    {"json", AutoindexFormat::Json}, {"jsonp", AutoindexFormat::Jsonp}};
                const auto found = formats.find(directive.arguments[0]);
                if (found == formats.end()) invalid_value(directive, directive.arguments[0]);
                settings_of(level).autoindex_format = found->second;
            }),
        on_off_row("autoindex_exact_size", &StaticSettings::autoindex_exact_size),
        on_off_row("autoindex_localtime", &StaticSettings::autoindex_localtime),
        {"types", anywhere, 0, 0, false, true, in::Types,
         [](const Directive& directive, stage4::Level& level) { settings_of(level).types = read_types(directive); }},
        row("default_type", anywhere, 1, 1,
            [](const Directive& directive, stage4::Level& level) {
                settings_of(level).default_type = directive.arguments[0];
            }),
        on_off_row("sendfile", &StaticSettings::sendfile),
        row("expires", anywhere, 1, 1,
            [](const Directive& directive, stage4::Level& level) {
                settings_of(level).expires = read_expires(directive);
            }),
        row("gzip_static", anywhere, 1, 1, store_gzip_static),
        on_off_row("etag", &StaticSettings::etag),
        row("if_modified_since", anywhere, 1, 1, store_if_modified_since),
        row("max_ranges", anywhere, 1, 1, store_max_ranges),
        row("disable_symlinks", anywhere, 1, 1, store_disable_symlinks),
    };
}

}  // namespace

stage4::ConfigModule static_language() {
    return {static_directives(), [](const stage4::Config& config) {
                auto defaults = std::make_unique<StaticSettings>();
                defaults->root = config.resolve("html").string();
                defaults->types = default_mime_types();
                return std::unique_ptr<stage4::ModuleSettings>(std::move(defaults));
            }};
}

const StaticSettings& static_settings(const stage4::Settings& block) {
    return *static_cast<const StaticSettings*>(block.module.get());
}

}  // namespace webstack::stage5
