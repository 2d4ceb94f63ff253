// Real frameworks on stage 3: a Django project made as the article makes
// it (django-admin startproject lifecycle .), and a Flask app, both from
// Debian's packages, each beside Gunicorn on the same code.
#include "catch.hpp"
#include "python_servers.hpp"

#include <iostream>

using namespace webstack::testing;

namespace {
void skip_without(const std::string& module) {
    if (std::system(("/usr/bin/python3 -c 'import " + module + "' >/dev/null 2>&1").c_str()) != 0) {
        std::cout << "SKIPPED: " << module << " is not installed for /usr/bin/python3 (scripts/install-deps)\n";
        std::exit(77);
    }
}
}  // namespace

TEST_CASE("a Django project made by startproject runs on stage 3 as lifecycle.wsgi:application", "[python]") {
    skip_without_python_bridge();
    skip_without("django");
    TemporaryFolder project;
    const auto made = run_command({"/bin/sh", "-c", "cd " + project.path() + " && /usr/bin/python3 -m django startproject lifecycle ."}, 60s);
    INFO(made.output);
    REQUIRE(made.exit_status == 0);

    auto ours = start_stage3_python("lifecycle.wsgi:application", {"--workers", "2"}, project.path());
    const int gunicorn_port = free_port();
    auto gunicorn = start_gunicorn("lifecycle.wsgi:application", gunicorn_port, {}, project.path());
    INFO(ours->output());
    RawClient client(ours->port()), reference_client(gunicorn_port);
    // DEBUG is on in a new project: "/" is Django's "The install worked successfully!" page.
    const auto page = client.answer(get("/", "Connection: close\r\n"), 10s);
    const auto reference = reference_client.answer(get("/", "Connection: close\r\n"), 10s);
    CHECK(page.status == 200);
    CHECK(page.body.find("The install worked successfully! Congratulations!") != std::string::npos);
    CHECK(page.body == reference.body);
    CHECK(page.headers.get("Content-Type") == reference.headers.get("Content-Type"));
    CHECK(page.headers.get("X-Frame-Options") == std::optional<std::string_view>("DENY"));

    RawClient missing(ours->port());
    CHECK(missing.answer(get("/no/such/page", "Connection: close\r\n"), 10s).status == 404);
    RawClient admin(ours->port());  // the admin's login redirect: Django's URL routing and middleware at work
    const auto redirect = admin.answer(get("/admin/", "Connection: close\r\n"), 10s);
    CHECK(redirect.status == 302);
    CHECK(redirect.headers.get("Location") == std::optional<std::string_view>("/admin/login/?next=/admin/"));
}

TEST_CASE("a Flask app runs on stage 3 as on Gunicorn", "[python]") {
    skip_without_python_bridge();
    skip_without("flask");
    auto ours = start_stage3_python("flask_app:app");
    const int gunicorn_port = free_port();
    auto gunicorn = start_gunicorn("flask_app:app", gunicorn_port);
    INFO(ours->output());
    const std::vector<std::string> requests{
        get("/", "Connection: close\r\n"),
        get("/json?x=1&y=%C3%A9", "Connection: close\r\n"),
        "POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 12\r\nConnection: close\r\n\r\nname=Ada+L.&",
        get("/missing", "Connection: close\r\n"),
    };
    for (const auto& request : requests) {
        RawClient client(ours->port()), reference_client(gunicorn_port);
        const auto answer = client.answer(request), reference = reference_client.answer(request);
        INFO(request);
        CHECK(answer.status == reference.status);
        CHECK(answer.body == reference.body);
        CHECK(answer.headers.get("Content-Type") == reference.headers.get("Content-Type"));
    }
}
