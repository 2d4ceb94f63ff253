// Python WSGI apps on stage 2 and stage 3 through the Python bridge: the
// article's hello_world.py beside Gunicorn, how MODULE:CALLABLE picks
// Python or C++, tracebacks, and PEP 3333's parts one by one.
#include "catch.hpp"
#include "python_servers.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace webstack::testing;
namespace fs = std::filesystem;

namespace {
// The headers of a response but those that differ between any two servers.
std::vector<std::pair<std::string, std::string>> comparable_headers(const webstack::http::Response& response) {
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& field : response.headers) {
        std::string name = field.name;
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name != "date" && name != "server" && name != "connection") headers.emplace_back(name, field.value);
    }
    std::sort(headers.begin(), headers.end());
    return headers;
}

webstack::http::Response post(int port, const std::string& target, const std::string& body) {
    RawClient client(port);
    return client.answer("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}
}  // namespace

TEST_CASE("the article's hello_world.py answers the same on stage 2, stage 3 and Gunicorn", "[python]") {
    skip_without_python_bridge();
    auto stage2 = start_stage2_python("hello_world:process_http_request");
    auto stage3 = start_stage3_python("hello_world:process_http_request");
    const int gunicorn_port = free_port();
    auto gunicorn = start_gunicorn("hello_world:process_http_request", gunicorn_port);
    RawClient reference_client(gunicorn_port);
    const auto reference = reference_client.answer(get("/", "Connection: close\r\n"));
    CHECK(reference.body == "Hello World");
    for (auto* server : {stage2.get(), stage3.get()}) {
        INFO(server->output());
        RawClient client(server->port());
        const auto ours = client.answer(get("/", "Connection: close\r\n"));
        CHECK(ours.status == reference.status);
        CHECK(ours.body == reference.body);
        CHECK(comparable_headers(ours) == comparable_headers(reference));
    }
    CHECK(stage2->output().find("serving the Python app hello_world:process_http_request from " + python_apps() +
                                "/hello_world.py") != std::string::npos);
    CHECK(stage3->output().find("Application: Python module hello_world (" + python_apps() + "/hello_world.py)") !=
          std::string::npos);
}

TEST_CASE("MODULE.py on the Python path wins over MODULE.so, and the server says which kind it loaded", "[python]") {
    skip_without_python_bridge();
    TemporaryFolder empty;
    SECTION("in the app's folder: the .py") {
        auto server = start_stage2_python("hello_world:process_http_request");
        RawClient client(server->port());
        CHECK(client.answer(get("/")).body == "Hello World");
        CHECK(server->output().find("the Python app hello_world") != std::string::npos);
    }
    SECTION("elsewhere: build/apps/hello_world.so") {
        auto server = start_stage2_python("hello_world:process_http_request", {}, empty.path());
        RawClient client(server->port());
        CHECK(client.answer(get("/")).body == "Hello World");
        CHECK(server->output().find("the C++ app hello_world:process_http_request from") != std::string::npos);
        CHECK(server->output().find("hello_world.so") != std::string::npos);
    }
    SECTION("--pythonpath puts the .py first again") {
        auto server = start_stage3_python("hello_world:process_http_request", {"--pythonpath", python_apps()}, empty.path());
        RawClient client(server->port());
        CHECK(client.answer(get("/")).body == "Hello World");
        CHECK(server->output().find("Application: Python module hello_world") != std::string::npos);
    }
    SECTION("a dotted name is always Python") {
        empty.write("mysite/__init__.py", "");
        empty.write("mysite/wsgi.py", "def application(environ, start_response):\n"
                                    "    start_response('200 OK', [])\n"
                                    "    return [b'from a package']\n");
        auto server = start_stage3_python("mysite.wsgi", {}, empty.path());
        RawClient client(server->port());
        CHECK(client.answer(get("/")).body == "from a package");
    }
}

TEST_CASE("a Python app found nowhere, or without its callable, exits 4 with one clear line", "[python]") {
    skip_without_python_bridge();
    TemporaryFolder empty;
    SECTION("no module") {
        for (const auto* server : {"stage2-wsgi-callable", "stage3-prefork-server"}) {
            const auto result = run_command({"/bin/sh", "-c", "cd " + empty.path() + " && exec " + binary(server) +
                                                                  " nowhere_to_be_found --bind 127.0.0.1:0"});
            INFO(result.output);
            CHECK(result.exit_status == 4);
            CHECK(result.output.find("no module named nowhere_to_be_found: looked for nowhere_to_be_found.py in " +
                                     empty.path()) != std::string::npos);
            CHECK(result.output.find("and on Python's path") != std::string::npos);
        }
    }
    SECTION("a package without that module") {
        TemporaryFolder project;
        project.write("mysite/__init__.py", "");
        auto server = start_stage3_python("mysite.wsgii", {}, project.path());
        CHECK(server->wait_for_exit(10s) == 4);
        CHECK(server->output().find("no module named mysite.wsgii: the package mysite (" + project.path() +
                                    "/mysite) has no module wsgii") != std::string::npos);
    }
    SECTION("no callable: Gunicorn's words") {
        const auto result = run_command({"/bin/sh", "-c", "cd " + python_apps() + " && exec " +
                                                              binary("stage2-wsgi-callable") +
                                                              " hello_world:nope --bind 127.0.0.1:0"});
        INFO(result.output);
        CHECK(result.exit_status == 4);
        CHECK(result.output.find("Failed to find attribute 'nope' in 'hello_world'.") != std::string::npos);
    }
}

TEST_CASE("an import error in the app shows Python's traceback, and the server exits 4", "[python]") {
    skip_without_python_bridge();
    SECTION("stage 2") {
        const auto result = run_command({"/bin/sh", "-c", "cd " + python_apps() + " && exec " +
                                                              binary("stage2-wsgi-callable") + " import_error --bind 127.0.0.1:0"});
        INFO(result.output);
        CHECK(result.exit_status == 4);
        CHECK(result.output.find("Traceback (most recent call last):") != std::string::npos);
        CHECK(result.output.find("import_error.py\", line 5") != std::string::npos);
        CHECK(result.output.find("ZeroDivisionError: division by zero") != std::string::npos);
    }
    SECTION("stage 3: the worker fails, the master stops") {
        auto server = start_stage3_python("import_error");
        const auto status = server->wait_for_exit(10s);
        INFO(server->output());
        REQUIRE(status);
        CHECK(*status == 4);
        CHECK(server->output().find("ZeroDivisionError: division by zero") != std::string::npos);
        CHECK(server->output().find("Reason: App failed to load.") != std::string::npos);
    }
}

TEST_CASE("a syntax error in the app shows Python's SyntaxError, not a bridge error", "[python]") {
    skip_without_python_bridge();
    // The first mistake a Python learner makes: Python raises it while
    // compiling, before any frame exists, so it comes without a traceback.
    const auto folder = std::filesystem::temp_directory_path() / ("webstack-syntax-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    std::ofstream(folder / "typo.py") << "def application(environ, start_response)\n    return [b'x']\n";
    const auto result = run_command({"/bin/sh", "-c", "cd " + folder.string() + " && exec " +
                                                          binary("stage2-wsgi-callable") + " typo --bind 127.0.0.1:0"});
    std::filesystem::remove_all(folder);
    INFO(result.output);
    CHECK(result.exit_status == 4);
    CHECK(result.output.find("SyntaxError: expected ':'") != std::string::npos);
    CHECK(result.output.find("typo.py\", line 1") != std::string::npos);
    CHECK(result.output.find("Unable to convert call argument") == std::string::npos);
}

TEST_CASE("a Python app's exception is a 500 with its traceback in the log, and the worker lives on", "[python]") {
    skip_without_python_bridge();
    auto server = start_stage3_python("contract");
    const int port = server->port();
    const auto before = post(port, "/pid", "");
    const auto failed = post(port, "/raise", "");
    CHECK(failed.status == 500);
    CHECK(server->wait_for_output("ValueError: the app raised on purpose"));
    CHECK(server->output().find("contract.py\", line") != std::string::npos);
    const auto after = post(port, "/pid", "");
    CHECK(after.status == 200);
    CHECK(after.body == before.body);  // the same worker, the same interpreter
}

TEST_CASE("what a Python app prints reaches the server's output at once, not at exit", "[python]") {
    skip_without_python_bridge();
    auto server = start_stage3_python("contract");
    CHECK(post(server->port(), "/print", "").body == "printed");
    CHECK(server->wait_for_output("printed by the app, to its stdout"));  // before any exit: stdout is unbuffered
}

TEST_CASE("wsgi.input reads the body, Content-Length or chunked, by every method", "[python]") {
    skip_without_python_bridge();
    auto server = start_stage3_python("contract");
    const int port = server->port();
    CHECK(post(port, "/input", "line one\nline two\nthree").body == "line one\n|lin|e two\n|three|end");
    CHECK(post(port, "/input-iter", "a\nb\nc\n").body == "3 lines");
    CHECK(post(port, "/input-read?4", "abcdefgh").body == "abcd");
    CHECK(post(port, "/input-read", "").body == "");
    RawClient chunked(port);
    const auto response = chunked.answer("POST /input-read HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                         "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    CHECK(response.body == "hello world");
}

TEST_CASE("start_response, write(), wsgi.errors and wsgi.file_wrapper behave as PEP 3333 says", "[python]") {
    skip_without_python_bridge();
    auto server = start_stage2_python("contract");
    const int port = server->port();
    INFO(server->output());
    CHECK(post(port, "/write", "").body == "written, then returned");
    CHECK(post(port, "/generator", "").body == "chunk 0\nchunk 1\nchunk 2\n");
    CHECK(post(port, "/file", "").body == read_file(python_apps() + "/contract.py"));
    CHECK(post(port, "/errors", "").body == "logged");
    CHECK(server->wait_for_output("a line for the error log"));
    CHECK(server->wait_for_output("two lines"));
    SECTION("exc_info before the headers went out: the new status wins") {
        const auto response = post(port, "/exc-info", "");
        CHECK(response.status == 500);
        CHECK(response.body == "the app recovered with exc_info");
    }
    SECTION("exc_info after the headers went out: re-raised, the connection cut") {
        RawClient client(port);
        client.send(get("/exc-info-late"));
        CHECK(client.wait_for_close());
        CHECK(server->wait_for_output("KeyError: 'too late'"));
    }
    SECTION("what the app gets wrong is a 500 naming the mistake") {
        const std::vector<std::pair<std::string, std::string>> mistakes{
            {"/str-body", "the body yielded a str, not bytes"},
            {"/tuple-headers", "TypeError: headers must be a list, not tuple"},
            {"/bytes-status", "TypeError: status must be a str, not bytes"},
            {"/not-latin1", "UnicodeEncodeError: 'latin-1' codec can't encode character"},
            {"/hop-by-hop", "\"Connection\" is a hop-by-hop header"},
            {"/no-start", "the body started before start_response() was called"},
        };
        for (const auto& [path, message] : mistakes) {
            INFO(path);
            CHECK(post(port, path, "").status == 500);
            CHECK(server->wait_for_output(message.substr(0, 30)));
        }
    }
}

TEST_CASE("the body's close() is called after success, after an error, and when the client leaves", "[python]") {
    skip_without_python_bridge();
    TemporaryFolder folder;
    const auto close_log = folder.path() + "/closed.log";
    auto server = start_stage3_python("contract", {}, python_apps(), {"WEBSTACK_CLOSE_LOG=" + close_log});
    const int port = server->port();
    CHECK(post(port, "/closing", "").body == "one two");
    {
        RawClient failing(port);
        failing.send(get("/closing-fails"));
        CHECK(failing.wait_for_close());
    }
    {
        RawClient leaving(port);  // asks for 13 MB and hangs up after the first bytes
        leaving.send(get("/long"));
        leaving.read_response("GET", 50ms);
    }
    CHECK(post(port, "/pid", "").status == 200);  // the worker is still there
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (read_file(close_log).find("closed long") == std::string::npos && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    CHECK(read_file(close_log) == "closed closing\nclosed closing-fails\nclosed long\n");
}

TEST_CASE("apps wrapped in wsgiref.validate find nothing to complain about on stage 2 and stage 3", "[python]") {
    skip_without_python_bridge();
    const std::vector<std::string> paths{"/input", "/input-iter", "/errors", "/write", "/generator", "/closing",
                                         "/file", "/exc-info"};
    for (const auto& start : {start_stage2_python, start_stage3_python}) {
        auto hello = start("validated:hello", {}, python_apps(), {});
        RawClient hello_client(hello->port());
        CHECK(hello_client.answer(get("/")).body == "Hello World");
        auto server = start("validated:contract_app", {}, python_apps(), {});
        const int port = server->port();
        for (const auto& path : paths) {
            INFO(path << "\n" << server->output());
            const auto response = post(port, path, "one\ntwo\n");
            CHECK((response.status == 200 || path == "/exc-info"));
        }
        RawClient head(port);
        CHECK(head.answer("HEAD /generator HTTP/1.1\r\nHost: x\r\n\r\n").status == 200);
        INFO(server->output());
        CHECK(server->output().find("AssertionError") == std::string::npos);
        CHECK(hello->output().find("AssertionError") == std::string::npos);
    }
}

TEST_CASE("a wsgi.file_wrapper over a file is sent with sendfile, as Gunicorn sends it", "[python]") {
    skip_without_python_bridge();
    skip_unless_installed("strace");
    TemporaryFolder folder;
    std::string big;
    for (int i = 0; big.size() < 3 * 1024 * 1024; ++i) big += "line " + std::to_string(i) + "\n";
    const auto file = folder.write("big.txt", big);
    const auto trace = folder.path() + "/trace";
    // strace -f follows the workers; -e sendfile records only those calls.
    auto server = start_in(python_apps(), "strace", {"-f", "-e", "trace=sendfile", "-o", trace, binary("stage3-prefork-server"),
                                                     "contract", "--bind", "127.0.0.1:0"});
    const int port = server->port();
    RawClient client(port);
    const auto response = client.answer(get("/big-file?" + file, "Connection: close\r\n"), 20s);
    CHECK(response.body.size() == big.size());
    CHECK(response.body == big);
    CHECK(post(port, "/file-part", "").body == read_file(python_apps() + "/contract.py").substr(5, 10));
    CHECK(post(port, "/bytesio", "").body == "from memory, no file descriptor");  // no descriptor: iterated
    RawClient head(port);
    CHECK(head.answer("HEAD /big-file?" + file + " HTTP/1.1\r\nHost: x\r\n\r\n").body.empty());
    server->send_signal(SIGTERM);
    server->wait_for_exit(10s);
    const auto calls = read_file(trace);
    INFO(calls);
    CHECK(calls.find("sendfile(") != std::string::npos);
}
