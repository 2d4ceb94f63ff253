#include "proxy/nginx_version.hpp"

#include <fmt/format.h>

#ifdef WEBSTACK_HAVE_OPENSSL
#include <openssl/crypto.h>
#endif

namespace webstack::stage4 {

#ifdef WEBSTACK_HAVE_OPENSSL
bool have_tls() { return true; }
std::string tls_library_version() { return OpenSSL_version(OPENSSL_VERSION); }
#else
bool have_tls() { return false; }
std::string tls_library_version() { return ""; }
#endif

std::string version_line(const std::string& program) {
    return fmt::format("nginx version: nginx/{} (webstack {})", imitated_nginx_version, program);
}

std::string build_report(const std::string& program, bool static_files) {
    std::string report = version_line(program) + '\n';
    if (have_tls()) report += "built with " + tls_library_version() + "\nTLS SNI support enabled\n";
    // The modules nginx builds unless told not to, that we do not have.
    std::string arguments =
        "--without-http_ssi_module --without-http_userid_module"
        " --without-http_access_module --without-http_auth_basic_module --without-http_mirror_module"
        " --without-http_geo_module --without-http_map_module --without-http_split_clients_module"
        " --without-http_referer_module --without-http_fastcgi_module --without-http_uwsgi_module"
        " --without-http_scgi_module --without-http_grpc_module --without-http_memcached_module"
        " --without-http_limit_conn_module --without-http_limit_req_module --without-http_empty_gif_module"
        " --without-http_browser_module --without-http_upstream_hash_module"
        " --without-http_upstream_ip_hash_module --without-http_upstream_random_module"
        " --without-http_upstream_zone_module --without-http-cache";
    if (!static_files) arguments += " --without-http_autoindex_module";
#ifndef WEBSTACK_HAVE_PCRE2
    arguments += " --without-pcre";
#endif
#ifndef WEBSTACK_HAVE_ZLIB
    arguments += " --without-http_gzip_module";
#endif
    if (have_tls()) arguments += " --with-http_ssl_module";
    report += "configure arguments: " + arguments + '\n';
    return report;
}

}  // namespace webstack::stage4
