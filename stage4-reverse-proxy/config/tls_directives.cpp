// The ssl_ directives (proxy/tls.hpp), one row each, in http and server.
// Built without OpenSSL, every one of them is refused with one line naming
// the package.
#include "config/directive_table.hpp"
#include "config/values.hpp"

namespace webstack::stage4 {

namespace {

using Store = std::function<void(const Directive&, Level&)>;

#ifdef WEBSTACK_HAVE_OPENSSL
constexpr OptionalLibrary openssl{true, "OpenSSL", "libssl-dev"};
#else
constexpr OptionalLibrary openssl{false, "OpenSSL", "libssl-dev"};
#endif

DirectiveSpec tls_row(std::string name, std::size_t min, std::size_t max, Store store) {
    return needs_library({std::move(name), in::Http | in::Server, min, max, false, false, in::Main, std::move(store)},
                         openssl);
}

void store_protocols(const Directive& directive, Level& level) {
    static const std::set<std::string> known = {"SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
    std::set<std::string> protocols;
    for (const auto& value : directive.arguments) {
        if (!known.contains(value)) invalid_value(directive, value);
        protocols.insert(value);
    }
    level.settings.tls.protocols = std::move(protocols);
}

// off, none, builtin[:size], shared:name:size (any order, as nginx takes them).
void store_session_cache(const Directive& directive, Level& level) {
    for (const auto& value : directive.arguments) {
        const bool known = value == "off" || value == "none" || value == "builtin" || value.starts_with("builtin:") ||
                           (value.starts_with("shared:") && value.find(':', 7) != std::string::npos);
        if (!known) invalid_value(directive, value);
    }
    level.settings.tls.session_cache = directive.arguments.front();
}

}  // namespace

const std::vector<DirectiveSpec>& tls_directives() {
    static const std::vector<DirectiveSpec> table = {
        tls_row("ssl_certificate", 1, 1, [](const Directive& directive, Level& level) {
            level.settings.tls.certificate = level.config.resolve_beside_config(directive.arguments[0]).string();
        }),
        tls_row("ssl_certificate_key", 1, 1, [](const Directive& directive, Level& level) {
            level.settings.tls.certificate_key = level.config.resolve_beside_config(directive.arguments[0]).string();
        }),
        tls_row("ssl_protocols", 1, 6, store_protocols),
        tls_row("ssl_ciphers", 1, 1, [](const Directive& directive, Level& level) {
            level.settings.tls.ciphers = directive.arguments[0];
        }),
        tls_row("ssl_prefer_server_ciphers", 1, 1, [](const Directive& directive, Level& level) {
            level.settings.tls.prefer_server_ciphers = on_off_argument(directive);
        }),
        tls_row("ssl_session_cache", 1, 2, store_session_cache),
        tls_row("ssl_session_timeout", 1, 1, [](const Directive& directive, Level& level) {
            level.settings.tls.session_timeout = duration_argument(directive);
        }),
        tls_row("ssl_dhparam", 1, 1, [](const Directive& directive, Level& level) {
            level.settings.tls.dhparam = level.config.resolve_beside_config(directive.arguments[0]).string();
        }),
        tls_row("ssl_session_tickets", 1, 1, [](const Directive& directive, Level& level) {
            level.settings.tls.session_tickets = on_off_argument(directive);
        }),
        // nginx 1.25.1's way to turn HTTP/2 on: we speak HTTP/1.1 only (tls.hpp).
        {"http2", in::Http | in::Server, 1, 1, false, false, in::Main,
         [](const Directive& directive, Level& level) {
             if (on_off_argument(directive))
                 level.config.warnings.push_back("HTTP/2 is not implemented: clients are answered in HTTP/1.1 "
                                                 "(ALPN offers http/1.1 only), in " + directive.where.text());
         }},
    };
    return table;
}

}  // namespace webstack::stage4
