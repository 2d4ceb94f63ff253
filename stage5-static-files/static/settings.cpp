#include "static/settings.hpp"

#include "config/values.hpp"

#include <algorithm>
#include <cctype>

namespace webstack::stage5 {

using stage4::Directive;
namespace in = stage4::in;

std::vector<stage4::ModuleDirective> static_directives() {
    constexpr std::size_t many = 1000;
    const unsigned anywhere = in::http_server_location;
    return {
        {"root", {anywhere, 1, 1, false}},
        {"alias", {in::Location, 1, 1, false}},
        {"index", {anywhere, 1, many, false}},
        {"try_files", {in::Server | in::Location, 2, many, false}},
        {"autoindex", {anywhere, 1, 1, false}},
        {"types", {anywhere, 0, 0, true, in::Types}},
        {"default_type", {anywhere, 1, 1, false}},
        {"sendfile", {anywhere, 1, 1, false}},
        {"expires", {anywhere, 1, 1, false}},
        {"gzip_static", {anywhere, 1, 1, false}},
        {"gzip_vary", {anywhere, 1, 1, false}},
        {"etag", {anywhere, 1, 1, false}},
        {"if_modified_since", {anywhere, 1, 1, false}},
        {"max_ranges", {anywhere, 1, 1, false}},
        {"disable_symlinks", {anywhere, 1, 1, false}},
    };
}

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

// The directive of `name` as this level sees it; nullptr when nobody wrote it.
const Directive* find(const stage4::Settings& level, const std::string& name) { return level.module_directive(name); }

// Written in this very block, not inherited?
bool written_here(const stage4::Settings& level, const stage4::Settings& parent, const std::string& name) {
    const auto* mine = find(level, name);
    const auto* theirs = find(parent, name);
    return mine && (!theirs || mine->where.text() != theirs->where.text());
}

}  // namespace

StaticSettings read_static_settings(const stage4::Config& config, const stage4::Settings& level,
                                    const stage4::Settings& parent, const stage4::Location* location,
                                    std::vector<std::string>& warnings) {
    StaticSettings settings;
    settings.root = config.resolve("html").string();
    settings.types = default_mime_types();
    if (const auto* root = find(level, "root")) settings.root = config.resolve(root->arguments[0]).string();
    if (location) {
        if (const auto* alias = find(level, "alias")) {
            if (written_here(level, parent, "root"))
                throw ConfigError("\"alias\" directive is duplicate, \"root\" directive was specified earlier",
                                  alias->where);
            if (location->exact && alias->arguments[0].ends_with('/'))
                warnings.push_back("\"alias\" " + alias->arguments[0] + " of an exact location ends with \"/\" in " +
                                   alias->where.text());
            settings.alias = config.resolve(alias->arguments[0]).string();
            // The classic trap: `location /static { alias /app/static/; }`
            // lets "/static../secret" become "/app/static/../secret" in real
            // nginx. Ours refuses such requests at run time; say it anyway.
            if (!location->exact && !location->prefix.ends_with('/') && alias->arguments[0].ends_with('/'))
                warnings.push_back("location \"" + location->prefix + "\" does not end with \"/\" but its alias \"" +
                                   alias->arguments[0] +
                                   "\" does: in nginx, \"" + location->prefix +
                                   "../\" would reach outside the alias (this server refuses such paths) in " +
                                   alias->where.text());
        }
    }
    if (const auto* index = find(level, "index")) {
        settings.index = index->arguments;
        for (const auto& name : settings.index) {
            if (name.empty()) throw ConfigError("index \"\" in \"index\" directive is invalid", index->where);
        }
    }
    if (const auto* try_files = find(level, "try_files")) {
        settings.try_files = try_files->arguments;
        const auto& fallback = settings.try_files.back();
        if (fallback.starts_with('=')) {
            const auto code = fallback.substr(1);
            if (code.empty() || code.size() > 3 || code.find_first_not_of("0123456789") != std::string::npos)
                invalid_value(*try_files, fallback);
        }
    }
    if (const auto* autoindex = find(level, "autoindex")) settings.autoindex = on_off_argument(*autoindex);
    if (const auto* types = find(level, "types")) settings.types = read_types(*types);
    if (const auto* type = find(level, "default_type")) settings.default_type = type->arguments[0];
    if (const auto* sendfile = find(level, "sendfile")) settings.sendfile = on_off_argument(*sendfile);
    if (const auto* expires = find(level, "expires")) settings.expires = read_expires(*expires);
    if (const auto* gzip_static = find(level, "gzip_static")) {
        if (gzip_static->arguments[0] == "always")
            throw ConfigError("\"gzip_static always\" is not supported (on or off)", gzip_static->where);
        settings.gzip_static = on_off_argument(*gzip_static);
    }
    if (const auto* gzip_vary = find(level, "gzip_vary")) settings.gzip_vary = on_off_argument(*gzip_vary);
    if (const auto* etag = find(level, "etag")) settings.etag = on_off_argument(*etag);
    if (const auto* since = find(level, "if_modified_since")) {
        const auto& value = since->arguments[0];
        if (value == "off") settings.if_modified_since = StaticSettings::IfModifiedSince::Off;
        else if (value == "exact") settings.if_modified_since = StaticSettings::IfModifiedSince::Exact;
        else if (value == "before") settings.if_modified_since = StaticSettings::IfModifiedSince::Before;
        else invalid_value(*since, value);
    }
    if (const auto* ranges = find(level, "max_ranges")) {
        const auto& value = ranges->arguments[0];
        if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos)
            invalid_value(*ranges, value);
        settings.max_ranges = std::stoi(value);
    }
    if (const auto* symlinks = find(level, "disable_symlinks")) {
        const auto& value = symlinks->arguments[0];
        if (value == "on") settings.symlinks = Symlinks::Never;
        else if (value == "off") settings.symlinks = Symlinks::Always;
        else
            throw ConfigError("\"disable_symlinks " + value + "\" is not supported (on or off)", symlinks->where);
    }
    return settings;
}

}  // namespace webstack::stage5
