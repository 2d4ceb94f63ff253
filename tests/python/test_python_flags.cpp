// Gunicorn's flags that matter for Python apps, on stage 3 (and stage 2
// where it has them): --preload across fork, --chdir, --pythonpath, -e,
// --reload, virtual environments, -k async, -c.
#include "catch.hpp"
#include "python_servers.hpp"

#include <csignal>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

using namespace webstack::testing;

namespace {
// contract.py's /pid: "WORKER_PID IMPORTED_BY_PID GREETING".
std::vector<std::string> pid_report(int port) {
    RawClient client(port);
    std::istringstream words(client.answer(get("/pid", "Connection: close\r\n")).body);
    std::vector<std::string> report{std::istream_iterator<std::string>(words), {}};
    REQUIRE(report.size() == 3);
    return report;
}
}  // namespace

TEST_CASE("with --preload the master imports a Python app, and the workers forked from it serve it", "[python]") {
    skip_without_python_bridge();
    auto server = start_stage3_python("contract", {"--preload", "--workers", "2"});
    const int port = server->port();
    REQUIRE(server->wait_for_occurrences("Booting worker with pid: ", 2));
    const auto master = std::to_string(server->pid());
    std::set<std::string> workers;
    for (int i = 0; i < 20 && workers.size() < 2; ++i) {
        const auto report = pid_report(port);
        CHECK(report[1] == master);  // imported once, by the master
        CHECK(report[0] != master);
        workers.insert(report[0]);
    }
    CHECK(workers.size() == 2);
    SECTION("a worker that dies is replaced by a fork that still works") {
        ::kill(std::stoi(*workers.begin()), SIGKILL);
        CHECK(server->wait_for_occurrences("Booting worker with pid: ", 3));
        for (int i = 0; i < 6; ++i) CHECK(pid_report(port)[1] == master);
    }
    server->send_signal(SIGTERM);
    CHECK(server->wait_for_exit(10s) == 0);
}

TEST_CASE("without --preload each worker imports the app itself, after the fork", "[python]") {
    skip_without_python_bridge();
    auto server = start_stage3_python("contract", {"--workers", "2"});
    const auto report = pid_report(server->port());
    CHECK(report[0] == report[1]);
    CHECK(report[0] != std::to_string(server->pid()));
}

TEST_CASE("the flags --chdir, --pythonpath and -e set where the app is and what it sees", "[python]") {
    skip_without_python_bridge();
    TemporaryFolder elsewhere;
    elsewhere.write("lib/greeting.py", "import os\nWORDS = os.environ['WEBSTACK_WORDS']\n");
    elsewhere.write("site/app.py", "import os, greeting\n"
                                   "def application(environ, start_response):\n"
                                   "    start_response('200 OK', [])\n"
                                   "    return [('%s in %s' % (greeting.WORDS, os.getcwd())).encode()]\n");
    auto server = start_stage3_python("app", {"--chdir", elsewhere.path() + "/site", "--pythonpath",
                                              elsewhere.path() + "/lib", "-e", "WEBSTACK_WORDS=hello there"},
                                      "/");
    RawClient client(server->port());
    CHECK(client.answer(get("/")).body == "hello there in " + elsewhere.path() + "/site");
    SECTION("a --chdir that does not exist is one line and exit 1") {
        const auto result = run_command({binary("stage3-prefork-server"), "app", "--chdir", "/no/such/folder"});
        CHECK(result.exit_status == 1);
        CHECK(result.output == "Error: --chdir /no/such/folder: No such file or directory\n");
    }
    SECTION("-e without = is refused as a bad flag") {
        const auto result = run_command({binary("stage3-prefork-server"), "app", "-e", "JUSTAKEY"});
        CHECK(result.exit_status == 2);
        CHECK(result.output.find("not KEY=VALUE: JUSTAKEY") != std::string::npos);
    }
}

TEST_CASE("with --reload a new worker starts when a .py file of the app changes", "[python]") {
    skip_without_python_bridge();
    TemporaryFolder folder;
    const auto write_app = [&](const std::string& words) {
        folder.write("words.py", "WORDS = b'" + words + "'\n");
        folder.write("app.py", "import words\n"
                               "def application(environ, start_response):\n"
                               "    start_response('200 OK', [])\n"
                               "    return [words.WORDS]\n");
    };
    write_app("first");
    for (const auto& start : {start_stage3_python, start_stage2_python}) {
        write_app("first");
        auto server = start("app", {"--reload"}, folder.path(), {});
        const int port = server->port();
        {
            RawClient client(port);
            CHECK(client.answer(get("/", "Connection: close\r\n")).body == "first");
        }
        std::this_thread::sleep_for(1100ms);  // a later modification time, even on a coarse clock
        folder.write("words.py", "WORDS = b'second'\n");  // a module the app imports, not the app itself
        std::string body;
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (body != "second" && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(200ms);
            auto client = RawClient::try_connect(port);
            if (!client) continue;
            auto response = client->exchange(get("/", "Connection: close\r\n"), 2s);
            body = response ? response->body : "";
        }
        INFO(server->output());
        CHECK(body == "second");
        CHECK(server->output().find("words.py") != std::string::npos);
    }
}

TEST_CASE("a virtual environment's packages are seen through $VIRTUAL_ENV or --home", "[python]") {
    skip_without_python_bridge();
    TemporaryFolder folder;
    const auto venv = folder.path() + "/venv";
    const auto made = run_command({"/usr/bin/python3", "-m", "venv", "--system-site-packages", "--without-pip", venv}, 60s);
    INFO(made.output);
    if (made.exit_status != 0) {
        std::cout << "SKIPPED: python3 -m venv does not work here (scripts/install-deps installs python3-venv)\n";
        std::exit(77);
    }
    const auto site_packages = run_command({venv + "/bin/python3", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"});
    const auto packages = site_packages.output.substr(0, site_packages.output.find('\n'));
    folder.write(packages.substr(folder.path().size() + 1) + "/only_in_venv.py", "WHERE = b'from the venv'\n");
    folder.write("app/app.py", "import only_in_venv, flask\n"  // flask: the system's, through --system-site-packages
                               "def application(environ, start_response):\n"
                               "    start_response('200 OK', [])\n"
                               "    return [only_in_venv.WHERE]\n");
    const auto app_folder = folder.path() + "/app";
    SECTION("$VIRTUAL_ENV, as after `source venv/bin/activate`") {
        auto server = start_stage3_python("app", {}, app_folder, {"VIRTUAL_ENV=" + venv});
        RawClient client(server->port());
        CHECK(client.answer(get("/")).body == "from the venv");
    }
    SECTION("--home, on stage 2") {
        auto server = start_stage2_python("app", {"--home", venv}, app_folder);
        RawClient client(server->port());
        CHECK(client.answer(get("/")).body == "from the venv");
    }
    SECTION("without it the import fails, with Python's traceback") {
        auto server = start_stage3_python("app", {}, app_folder, {"VIRTUAL_ENV="});
        CHECK(server->wait_for_exit(10s) == 4);
        CHECK(server->output().find("ModuleNotFoundError: No module named 'only_in_venv'") != std::string::npos);
    }
    SECTION("a virtual environment for another Python") {
        folder.write("other/bin/python3", "");
        folder.write("other/pyvenv.cfg", "home = /usr/bin\nversion = 3.9.2\n");
        auto server = start_stage3_python("app", {"--home", folder.path() + "/other"}, app_folder);
        CHECK(server->wait_for_exit(10s) == 4);
        CHECK(server->output().find("is for Python 3.9, this server embeds Python 3.") != std::string::npos);
    }
    SECTION("--home that is not a virtual environment") {
        auto server = start_stage3_python("app", {"--home", folder.path()}, app_folder);
        CHECK(server->wait_for_exit(10s) == 4);
        CHECK(server->output().find("is not a virtual environment: it has no bin/python3") != std::string::npos);
    }
}

TEST_CASE("with --preload and --reload the master warns that new code needs a restart of the master", "[python]") {
    skip_without_python_bridge();
    auto server = start_stage3_python("hello_world:process_http_request", {"--preload", "--reload"});
    server->port();
    CHECK(server->output().find("[WARNING] --reload with --preload restarts workers, but they are forked from the "
                                "master's copy of the app") != std::string::npos);
}

TEST_CASE("the async worker with a Python app warns that blocking calls block the worker, and serves", "[python]") {
    skip_without_python_bridge();
    auto server = start_stage3_python("hello_world:process_http_request", {"-k", "async"});
    RawClient client(server->port());
    CHECK(client.answer(get("/")).body == "Hello World");
    CHECK(server->output().find("[WARNING] -k async with a Python app: the app's blocking calls block the worker's "
                                "event loop") != std::string::npos);
}

TEST_CASE("a Gunicorn config file (-c) is refused with one line saying what to use", "[python]") {
    const auto result = run_command({binary("stage3-prefork-server"), "hello_world:process_http_request", "-c", "gunicorn.conf.py"});
    CHECK(result.exit_status == 1);
    CHECK(result.output.find("Error: -c gunicorn.conf.py: this server does not read Gunicorn's Python config files") == 0);
}
