// The rule that picks a Python module or a C++ shared object for
// MODULE:CALLABLE (wsgi/app_loader.hpp), in-process, on folders made here.
#include "catch.hpp"
#include "python_servers.hpp"
#include "wsgi/app_loader.hpp"

#include <filesystem>

using namespace webstack;
using namespace webstack::testing;

TEST_CASE("resolve_application: a path, a dotted name, MODULE.py before MODULE.so, then Python's path", "[python]") {
    TemporaryFolder python_folder, app_folder;
    python_folder.write("hello.py", "");
    python_folder.write("package/__init__.py", "");
    app_folder.write("hello.so", "");
    app_folder.write("only_cpp.so", "");
    wsgi::AppLocations locations{{python_folder.path()}, {app_folder.path()}, ""};

    const auto hello = wsgi::resolve_application("hello:app", locations, true);
    CHECK(hello.kind == wsgi::AppKind::Python);
    CHECK(hello.file == python_folder.path() + "/hello.py");
    CHECK(hello.callable == "app");

    const auto cpp = wsgi::resolve_application("only_cpp", locations, true);
    CHECK(cpp.kind == wsgi::AppKind::Cpp);
    CHECK(cpp.file == app_folder.path() + "/only_cpp.so");
    CHECK(cpp.callable == "application");

    const auto dotted = wsgi::resolve_application("package.wsgi", locations, true);
    CHECK(dotted.kind == wsgi::AppKind::Python);
    CHECK(dotted.file == python_folder.path() + "/package");
    CHECK(dotted.module == "package.wsgi");

    const auto by_path = wsgi::resolve_application(app_folder.path() + "/hello:x", locations, true);
    CHECK(by_path.kind == wsgi::AppKind::Cpp);
    CHECK(by_path.file == app_folder.path() + "/hello.so");

    const auto elsewhere = wsgi::resolve_application("django_or_flask_from_site_packages:app", locations, true);
    CHECK(elsewhere.kind == wsgi::AppKind::Python);
    CHECK(elsewhere.file.empty());

    SECTION("without the bridge, a name found nowhere is an error naming both searches") {
        try {
            wsgi::resolve_application("nowhere", locations, false);
            FAIL("no error");
        } catch (const wsgi::LoadError& error) {
            CHECK(std::string(error.what()) == "no module named nowhere: looked for nowhere.py in " +
                                                   python_folder.path() + " and for nowhere.so in " + app_folder.path());
        }
    }
    SECTION("a folder without __init__.py is not a package: the .so of that name wins") {
        python_folder.write("only_cpp/notes.txt", "a folder of the same name as a C++ app");
        CHECK(wsgi::resolve_application("only_cpp", locations, true).kind == wsgi::AppKind::Cpp);
    }
    SECTION("a file name instead of a module name gets a hint") {
        try {
            wsgi::resolve_application("hello.py:app", locations, true);
            FAIL("no error");
        } catch (const wsgi::LoadError& error) {
            CHECK(std::string(error.what()) == "\"hello.py\" is a file name, MODULE is a module's name: hello:app "
                                               "(a C++ .so may also be named by its path: ./hello.py:app)");
        }
    }
    SECTION("a spec without a module or a callable") {
        CHECK_THROWS_AS(wsgi::resolve_application(":app", locations, true), wsgi::LoadError);
        CHECK_THROWS_AS(wsgi::resolve_application("hello:", locations, true), wsgi::LoadError);
    }
}

TEST_CASE("app_locations orders Python's folders as Gunicorn does: each --pythonpath, the last first, then the current folder", "[python]") {
    const auto locations = wsgi::app_locations({"/apps"}, {"/first", "/second"}, "/venv");
    CHECK(locations.python_path ==
          std::vector<std::string>{"/second", "/first", std::filesystem::current_path().string()});
    CHECK(locations.so_path.front() == "/apps");
    CHECK(locations.python_home == "/venv");
}
