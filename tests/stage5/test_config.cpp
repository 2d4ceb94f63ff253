// The static-file directives in nginx.conf: what is accepted, and how the
// mistakes are refused, in nginx's words.
#include "catch.hpp"
#include "stage5_server.hpp"

using namespace webstack::testing;

namespace {
CommandResult check(const std::string& http_contents, const std::string& program = "stage5-static-files") {
    ConfigFolder folder;
    const auto file = folder.write("nginx.conf", nginx_conf(http_contents));
    return run_command({binary(program), "-t", "-c", file});
}

bool says(const CommandResult& result, const std::string& text) { return result.output.find(text) != std::string::npos; }
}  // namespace

TEST_CASE("the examples config passes -t", "[stage5]") {
    const auto result = run_command({binary("stage5-static-files"), "-t", "-c",
                                     std::string(WEBSTACK_SOURCE_DIR) + "/examples/nginx-static.conf"});
    INFO(result.output);
    CHECK(result.exit_status == 0);
    CHECK(says(result, "test is successful"));
    CHECK_FALSE(says(result, "[warn]"));
}

TEST_CASE("every static directive is read", "[stage5]") {
    const auto result = check("include " + std::string(WEBSTACK_SOURCE_DIR) + "/examples/mime.types;\n"
                              "default_type application/octet-stream;\nsendfile on;\netag on;\n"
                              "server { listen 127.0.0.1:0; root /srv/site; index index.html index.htm;\n"
                              "  autoindex off; if_modified_since before; max_ranges 4; expires 30d;\n"
                              "  location /static/ { alias /srv/static/; gzip_static on; gzip_vary on; expires max;\n"
                              "                      disable_symlinks on; types { text/css css; } }\n"
                              "  location / { try_files $uri $uri/ @app; }\n"
                              "  location @app { proxy_pass http://127.0.0.1:8000; }\n"
                              "}\n");
    INFO(result.output);
    CHECK(result.exit_status == 0);
}

TEST_CASE("bad static configs are refused with nginx's words", "[stage5]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"server { listen 127.0.0.1:0; alias /srv/; }", "\"alias\" directive is not allowed here"},
        {"server { listen 127.0.0.1:0; location / { root /a; alias /b/; } }",
         "\"alias\" directive is duplicate, \"root\" directive was specified earlier"},
        {"server { listen 127.0.0.1:0; location / { alias /b/; root /a; } }",
         "\"root\" directive is duplicate, \"alias\" directive was specified earlier"},
        {"server { listen 127.0.0.1:0; root /a /b; }", "invalid number of arguments in \"root\" directive"},
        {"server { listen 127.0.0.1:0; root /a; root /b; }", "\"root\" directive is duplicate"},
        {"server { listen 127.0.0.1:0; location / { try_files $uri; } }",
         "invalid number of arguments in \"try_files\" directive"},
        {"server { listen 127.0.0.1:0; location / { try_files $uri @nowhere; } }",
         "try_files names the location \"@nowhere\""},
        {"server { listen 127.0.0.1:0; location / { try_files $uri =40x; } }", "invalid value \"=40x\""},
        {"server { listen 127.0.0.1:0; autoindex yes; }", "it must be \"on\" or \"off\""},
        {"server { listen 127.0.0.1:0; autoindex_format yaml; }", "invalid value \"yaml\""},
        {"server { listen 127.0.0.1:0; charset utf-8; source_charset koi8-r; }", "converts between charsets"},
        {"charset_map koi8-r utf-8 { C0 D18E; }", "converts between charsets"},
        {"server { listen 127.0.0.1:0; expires soon; }", "invalid value \"soon\" in \"expires\" directive"},
        {"server { listen 127.0.0.1:0; if_modified_since later; }", "invalid value \"later\""},
        {"server { listen 127.0.0.1:0; max_ranges -1; }", "invalid value \"-1\" in \"max_ranges\" directive"},
        {"server { listen 127.0.0.1:0; disable_symlinks if_not_owner; }", "is not supported"},
        {"server { listen 127.0.0.1:0; types text/css css; }", "directive \"types\" has no opening \"{\""},
        {"server { listen 127.0.0.1:0; location @app { proxy_pass http://127.0.0.1:8000/x/; } }",
         "\"proxy_pass\" cannot have URI part"},
    };
    for (const auto& [http, message] : cases) {
        const auto result = check(http);
        INFO(http);
        INFO(result.output);
        CHECK(result.exit_status == 1);
        CHECK(says(result, message));
        CHECK(says(result, "test failed"));
    }
}

TEST_CASE("stage 4 alone does not know the static directives", "[stage5]") {
    const auto result = check("server { listen 127.0.0.1:0; root /srv; }", "stage4-reverse-proxy");
    CHECK(result.exit_status == 1);
    CHECK(says(result, "unknown directive \"root\""));
}
