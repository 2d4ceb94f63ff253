// The whole stack, the way `make demo` starts it (scripts/demo-stack), on
// free ports, with a real browser: headless Chromium loads the lifecycle
// site through the proxy. The page's own script writes into the page what
// proves its static files arrived (examples/site/static/js/site.js):
//     script=ran image-width=64 stylesheet=stylesheet-loaded
// and the logs show who served what: the proxy answered /static/ itself,
// the application never saw those requests.
#include "catch.hpp"
#include "server_process.hpp"

#include <csignal>
#include <fstream>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <unistd.h>

using namespace webstack::testing;

namespace {
std::string chromium_binary() {
    for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
        if (::access(candidate, X_OK) != 0) continue;
        // Ubuntu's chromium-browser is a stub for a snap, which a container may not run.
        if (run_command({candidate, "--version"}, 30s).exit_status == 0) return candidate;
        std::cout << "SKIPPED: " << candidate << " --version fails: this Chromium cannot run here" << std::endl;
        std::exit(77);
    }
    std::cout << "SKIPPED: Chromium is not installed (scripts/install-deps installs Debian's chromium when it can)"
              << std::endl;
    std::exit(77);
}

// Headless Chromium on `url`, in a profile of its own; returns what it
// printed: the page's DOM once the page's scripts ran (up to 10 s of the
// page's own time).
CommandResult load_in_chromium(const std::string& chromium, const std::string& url) {
    const auto profile = std::filesystem::temp_directory_path() / ("webstack-chromium-" + std::to_string(::getpid()));
    // --no-sandbox: Chromium refuses to run as root with its sandbox, and CI runs as root.
    auto browser = run_command({chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                "--user-data-dir=" + profile.string(), "--virtual-time-budget=10000", "--dump-dom", url},
                               60s);
    std::error_code ignored;
    std::filesystem::remove_all(profile, ignored);
    return browser;
}

// The lines of `output` that start with `prefix` and contain `text`.
int count_lines(const std::string& output, const std::string& prefix, const std::string& text) {
    std::istringstream lines(output);
    int count = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with(prefix) && line.find(text) != std::string::npos) ++count;
    }
    return count;
}
}  // namespace

TEST_CASE("a browser loads the lifecycle site through the proxy, static files and all", "[e2e]") {
    const auto chromium = chromium_binary();
    const int port = free_port();
    const int app_port = free_port();
    ServerProcess stack(std::string(WEBSTACK_SOURCE_DIR) + "/scripts/demo-stack",
                        {"--bin", WEBSTACK_BIN_DIR, "--port", std::to_string(port), "--app-port", std::to_string(app_port)});
    REQUIRE(stack.wait_for_output("The whole stack is running", 20s));

    const auto browser = load_in_chromium(chromium, "http://127.0.0.1:" + std::to_string(port) + "/");
    INFO(browser.output);
    CHECK(browser.exit_status == 0);
    CHECK(browser.output.find("<title>Articles</title>") != std::string::npos);  // the app's page
    CHECK(browser.output.find("script=ran image-width=64 stylesheet=stylesheet-loaded") != std::string::npos);
    // The page tells its own journey: the worker that made it, what the app
    // received from the proxy, and which files came from the proxy's disk.
    CHECK(browser.output.find("<code id=\"worker-pid\">") != std::string::npos);
    CHECK(browser.output.find("<tr><th>REMOTE_ADDR</th><td><code>127.0.0.1</code>") != std::string::npos);
    CHECK(browser.output.find("<tr><th>Host</th><td><code>127.0.0.1</code>") != std::string::npos);  // $host: no port
    for (const std::string file : {"/static/css/site.css", "/static/js/site.js", "/static/img/logo.png"})
        CHECK(browser.output.find("<li>" + file + ": 200, from the proxy's disk") != std::string::npos);
    CHECK(browser.output.find("<li>/: 200, made by the app") != std::string::npos);

    // The proxy served each file itself...
    for (const std::string file : {"/static/css/site.css", "/static/js/site.js", "/static/img/logo.png"})
        CHECK(stack.wait_for_output("\\[proxy\\] .*\"GET " + file + " HTTP/1.1\" 200 ", 5s));
    // ...and passed the page to the app, which saw none of the /static/ requests.
    CHECK(stack.wait_for_output("\\[app\\] .*\"GET / HTTP/1.1\" 200 ", 5s));
    INFO(stack.output());
    CHECK(count_lines(stack.output(), "[app]", "/static/") == 0);
    CHECK(count_lines(stack.output(), "[proxy]", "\"GET /static/") == 3);

    // Stopping the stack stops both servers.
    stack.send_signal(SIGTERM);
    CHECK(stack.wait_for_exit(10s) == 0);
}

TEST_CASE("a browser loads the lifecycle site over HTTPS: the proxy holds the certificate", "[e2e]") {
    const auto chromium = chromium_binary();
    ServerProcess app(binary("stage3-prefork-server"), {"lifecycle:application", "--bind", "127.0.0.1:0"});
    const int app_port = app.port();
    const auto folder = std::filesystem::temp_directory_path() / ("webstack-e2e-https-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    const std::string examples = std::string(WEBSTACK_SOURCE_DIR) + "/examples";
    REQUIRE(run_command({std::string(WEBSTACK_SOURCE_DIR) + "/scripts/make-certificate", (folder / "tls").string()})
                .exit_status == 0);
    {
        std::ofstream config(folder / "nginx.conf");
        config << "events {}\nhttp {\n access_log /dev/stdout combined;\n include " << examples << "/mime.types;\n"
               << " sendfile on;\n gzip on;\n gzip_types text/css application/javascript;\n"
               << " server {\n  listen 127.0.0.1:0 ssl;\n"
               << "  ssl_certificate " << (folder / "tls/cert.pem").string() << ";\n"
               << "  ssl_certificate_key " << (folder / "tls/key.pem").string() << ";\n"
               << "  location /static/ { alias " << examples << "/site/static/; }\n"
               << "  location / { proxy_set_header Host $http_host; proxy_set_header X-Forwarded-Proto $scheme;"
               << " proxy_pass http://127.0.0.1:" << app_port << "; }\n }\n}\n";
    }
    ServerProcess proxy(binary("stage5-static-files"), {"-c", (folder / "nginx.conf").string()});
    const auto https = proxy.wait_for_output(R"(Listening at: https://[^\s]*:(\d+))");
    REQUIRE(https);

    // A self-signed certificate: the browser is told to go on (a real site's is trusted).
    const auto profile = folder / "profile";
    const auto browser = run_command({chromium, "--headless", "--no-sandbox", "--disable-gpu", "--ignore-certificate-errors",
                                      "--user-data-dir=" + profile.string(), "--virtual-time-budget=10000", "--dump-dom",
                                      "https://127.0.0.1:" + (*https)[1] + "/"},
                                     60s);
    INFO(browser.output);
    CHECK(browser.exit_status == 0);
    CHECK(browser.output.find("<title>Articles</title>") != std::string::npos);
    CHECK(browser.output.find("script=ran image-width=64 stylesheet=stylesheet-loaded") != std::string::npos);
    CHECK(proxy.wait_for_output("\"GET /static/css/site.css HTTP/1.1\" 200 ", 5s));
    std::error_code ignored;
    std::filesystem::remove_all(folder, ignored);
}

TEST_CASE("a browser uses the article's Django project through the proxy: static files, a form, CSRF", "[e2e]") {
    const auto chromium = chromium_binary();
    if (!WEBSTACK_PYTHON_BRIDGE || std::system("/usr/bin/python3 -c 'import django' >/dev/null 2>&1") != 0) {
        std::cout << "SKIPPED: needs the Python bridge and Django (scripts/install-deps installs both)" << std::endl;
        std::exit(77);
    }
    const int port = free_port();
    const int app_port = free_port();
    ServerProcess stack(std::string(WEBSTACK_SOURCE_DIR) + "/scripts/demo-stack",
                        {"--django", "--bin", WEBSTACK_BIN_DIR, "--port", std::to_string(port), "--app-port",
                         std::to_string(app_port)});
    REQUIRE(stack.wait_for_output("The whole stack is running", 30s));

    // check.js fills in the form and sends it when the address says #fill-in=NAME:
    // the page that comes back is Django's answer to the POST.
    const auto browser = load_in_chromium(chromium, "http://127.0.0.1:" + std::to_string(port) + "/#fill-in=Ada");
    INFO(browser.output << "\n" << stack.output());
    CHECK(browser.exit_status == 0);
    CHECK(browser.output.find("Hello, Ada! Your form passed Django's CSRF check.") != std::string::npos);
    CHECK(browser.output.find("script=ran image-width=64 stylesheet=stylesheet-loaded") != std::string::npos);
    // The page's journey, as the C++ site's: Django's worker, what it received, the files it never saw.
    CHECK(browser.output.find("<code id=\"worker-pid\">") != std::string::npos);
    CHECK(browser.output.find("<tr><th>REMOTE_ADDR</th><td><code>127.0.0.1</code>") != std::string::npos);
    CHECK(browser.output.find("<li>/static/pages/style.css: 200, from the proxy's disk; Django never saw it") !=
          std::string::npos);
    CHECK(browser.output.find("<li>/: 200, made by Django, passed on by the proxy") != std::string::npos);
    CHECK(stack.wait_for_output("\\[app\\] .*\"POST / HTTP/1.1\" 200 ", 5s));
    for (const std::string file : {"/static/pages/style.css", "/static/pages/check.js", "/static/pages/logo.png"})
        CHECK(stack.wait_for_output("\\[proxy\\] .*\"GET " + file + " HTTP/1.1\" (200|304) ", 5s));
    CHECK(count_lines(stack.output(), "[app]", "/static/") == 0);
    stack.send_signal(SIGTERM);
    CHECK(stack.wait_for_exit(10s) == 0);
}
