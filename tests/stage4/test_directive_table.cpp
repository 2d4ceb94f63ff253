// The directive table in-process: what a row stores, how inner blocks
// inherit, nginx's words for a wrong directive, and a module's own rows
// and settings (as stage 5 adds them).
#include "catch.hpp"
#include "config/directive_table.hpp"
#include "stage4_proxy.hpp"

#include <set>

using namespace webstack::stage4;
using webstack::testing::ConfigFolder;

namespace {
// Loads `http_contents` inside a whole nginx.conf.
Config load(const std::string& http_contents, const ConfigModule* module = nullptr) {
    ConfigFolder folder;
    const auto file = folder.write("nginx.conf", "events {}\nhttp {\n" + http_contents + "\n}\n");
    return load_config(file, module);
}

// The message load() throws, or "" when it loads.
std::string refusal(const std::string& http_contents, const ConfigModule* module = nullptr) {
    try {
        load(http_contents, module);
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

// A module like stage 5's, with one setting: `answer N;` anywhere.
struct Answer final : ModuleSettings {
    int value = 42;
    std::unique_ptr<ModuleSettings> copy() const override { return std::make_unique<Answer>(*this); }
};
const Answer& answer_of(const Settings& settings) { return *static_cast<const Answer*>(settings.module.get()); }

ConfigModule answer_module() {
    return {{{"answer", in::http_server_location, 1, 1, false, false, in::Main,
              [](const Directive& directive, Level& level) {
                  static_cast<Answer*>(level.settings.module.get())->value = std::stoi(directive.arguments[0]);
              }}},
            [](const Config&) { return std::unique_ptr<ModuleSettings>(std::make_unique<Answer>()); }};
}
}  // namespace

TEST_CASE("directive table: one row per name and context", "[stage4]") {
    std::set<std::pair<std::string, unsigned>> seen;
    for (const auto& row : core_directives()) {
        for (unsigned context = 1; context <= in::Types; context <<= 1) {
            if (!(row.contexts & context)) continue;
            INFO(row.name << " in context " << context);
            CHECK(seen.insert({row.name, context}).second);
        }
        CHECK(row.min_arguments <= row.max_arguments);
    }
}

TEST_CASE("directive table: inner blocks inherit what they do not write", "[stage4]") {
    const auto config = load("client_max_body_size 2m;\n"
                             "server { listen 127.0.0.1:8080; client_body_timeout 5s;\n"
                             "  location /a/ { client_max_body_size 10k; }\n"
                             "  location /b/ { }\n}");
    const auto& server = config.servers.at(0);
    CHECK(server.settings.client_max_body_size == 2 * 1024 * 1024);  // from http
    CHECK(server.settings.client_body_timeout == Duration(5000));    // its own
    CHECK(server.locations.at(0).settings.client_max_body_size == 10 * 1024);  // overridden
    CHECK(server.locations.at(1).settings.client_max_body_size == 2 * 1024 * 1024);
    CHECK(server.locations.at(1).settings.client_body_timeout == Duration(5000));  // through the server
    CHECK(server.locations.at(1).settings.keepalive_timeout == Duration(75'000));  // nobody wrote it: nginx's default
}

TEST_CASE("directive table: a block with any proxy_set_header inherits none", "[stage4]") {
    const auto config = load("proxy_set_header X-A a;\nproxy_set_header X-B b;\n"
                             "server { listen 127.0.0.1:8080;\n"
                             "  location /own/ { proxy_set_header X-C c; }\n"
                             "  location /inherits/ { }\n}");
    const auto& locations = config.servers.at(0).locations;
    REQUIRE(locations.at(0).settings.proxy_set_header.size() == 1);
    CHECK(locations.at(0).settings.proxy_set_header[0].name == "X-C");
    CHECK(locations.at(1).settings.proxy_set_header.size() == 2);
}

TEST_CASE("directive table: a wrong directive in nginx's words, with FILE:LINE", "[stage4]") {
    CHECK_THAT(refusal("server { listen 127.0.0.1:8080; proxy_pas http://x; }"),
               Catch::Matchers::Contains("unknown directive \"proxy_pas\" in ") &&
                   Catch::Matchers::Contains("nginx.conf:3"));
    CHECK_THAT(refusal("proxy_pass http://x;"), Catch::Matchers::Contains("\"proxy_pass\" directive is not allowed here"));
    CHECK_THAT(refusal("keepalive_timeout 1s 2s 3s;"),
               Catch::Matchers::Contains("invalid number of arguments in \"keepalive_timeout\" directive"));
    CHECK_THAT(refusal("keepalive_timeout 1s;\nkeepalive_timeout 2s;"),
               Catch::Matchers::Contains("\"keepalive_timeout\" directive is duplicate"));
    CHECK_THAT(refusal("server;"), Catch::Matchers::Contains("directive \"server\" has no opening \"{\""));
    CHECK_THAT(refusal("keepalive_timeout soon;"),
               Catch::Matchers::Contains("invalid value \"soon\" in \"keepalive_timeout\" directive"));
    // `server` is two directives: a block in http, an address line in upstream.
    CHECK(refusal("upstream app { server 127.0.0.1:9000 weight=2; }\nserver { listen 127.0.0.1:8080; }").empty());
}

TEST_CASE("directive table: a module's rows store into its own settings, one copy per block", "[stage4]") {
    const auto module = answer_module();
    CHECK_THAT(refusal("answer 1;"), Catch::Matchers::Contains("unknown directive \"answer\""));  // stage 4 alone
    const auto config = load("answer 7;\nserver { listen 127.0.0.1:8080;\n"
                             "  location /a/ { answer 8; }\n  location /b/ { }\n}",
                             &module);
    const auto& server = config.servers.at(0);
    CHECK(answer_of(server.settings).value == 7);
    CHECK(answer_of(server.locations.at(0).settings).value == 8);
    CHECK(answer_of(server.locations.at(1).settings).value == 7);  // the override stayed in its block
}

TEST_CASE("a build without an optional library refuses its directives naming the package", "[stage4]") {
    // What a build without zlib does with `gzip on;` (gzip_directives.cpp):
    // one line naming the library and the package, where the directive is.
    const DirectiveSpec row = needs_library({"gzip", in::http_server_location, 1, 1, false, false, in::Main,
                                             [](const Directive&, Level&) { FAIL("stored without the library"); }},
                                            {false, "zlib", "zlib1g-dev"});
    Config config;
    Settings settings;
    Level level{settings, nullptr, config, {}};
    const Directive directive{"gzip", {"on"}, {"nginx.conf", 7}, std::nullopt};
    try {
        row.store(directive, level);
        FAIL("no error");
    } catch (const ConfigError& error) {
        CHECK(std::string(error.what()) == "\"gzip\" needs zlib, which this build lacks (install zlib1g-dev: "
                                           "scripts/install-deps, then build again) in nginx.conf:7");
    }
    // Built with it, the row stores as written.
    bool stored = false;
    const DirectiveSpec built = needs_library({"gzip", in::http_server_location, 1, 1, false, false, in::Main,
                                               [&stored](const Directive&, Level&) { stored = true; }},
                                              {true, "zlib", "zlib1g-dev"});
    built.store(directive, level);
    CHECK(stored);
}
