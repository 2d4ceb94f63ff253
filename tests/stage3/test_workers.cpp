// What the workers do: several answer, sync closes, async keeps connections,
// --max-requests recycles, the access log, trusted proxies, limits.
#include "catch.hpp"
#include "stage3_server.hpp"
#include "exhaustion.hpp"

using namespace webstack::testing;

TEST_CASE("several workers answer from different processes", "[stage3]") {
    auto server = start_stage3("testing:worker_pid", {"-w", "3"});
    const int port = server->port();
    REQUIRE(wait_for_boots(*server, 3));
    std::set<std::string> pids;
    for (int round = 0; round < 200 && pids.size() < 2; ++round) pids.merge(answering_pids(port, 5));
    INFO(server->output());
    CHECK(pids.size() >= 2);
    CHECK(server->output().find("Using worker: sync") != std::string::npos);
}

TEST_CASE("the sync worker answers with Connection: close", "[stage3]") {
    auto server = start_stage3("hello_world:process_http_request");
    RawClient client(server->port());
    const auto response = client.exchange(get("/"));
    INFO(client.transcript());
    REQUIRE(response);
    CHECK(response->body == "Hello World");
    CHECK(response->headers.get("Connection") == "close");
    CHECK(client.wait_for_close(2s));
}

TEST_CASE("the async worker keeps connections and serves many clients at once", "[stage3]") {
    auto server = start_stage3("hello_world:process_http_request", {"-k", "async", "-w", "1"});
    const int port = server->port();
    // An idle connection does not hold the only worker...
    RawClient idle(port);
    idle.send("GET / HTTP/1.1\r\nHost: x\r\n");  // half a request
    // ...and fifty clients connected at once are all served.
    std::vector<RawClient> clients;
    for (int i = 0; i < 50; ++i) clients.emplace_back(port);
    for (auto& client : clients) client.send(get("/"));
    int answered = 0;
    for (auto& client : clients) {
        auto response = client.read_response("GET", 5s);
        if (response && response->body == "Hello World") ++answered;
    }
    CHECK(answered == 50);
    // Keep-alive: a second request on the same connection.
    const auto again = clients.front().exchange(get("/"));
    INFO(clients.front().transcript());
    REQUIRE(again);
    CHECK_FALSE(again->headers.contains("Connection"));
    CHECK(server->output().find("Using worker: async") != std::string::npos);
}

// The async worker sends each response in one write, with TCP_NODELAY;
// either alone keeps Nagle's algorithm from holding a piece back 40 ms.
TEST_CASE("the async worker: 200 requests one after another on a kept-alive connection take well under a second",
          "[stage3]") {
    auto server = start_stage3("testing:stream", {"-k", "async", "-w", "1"});
    check_one_after_another(server->port(), get("/?n=3"));
    check_one_after_another(server->port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nhello\n", "POST");
}

// The sync worker closes after every response (Connection: close), so a
// client never waits on a kept-alive connection; it must not be slow either.
TEST_CASE("the sync worker: 200 requests, each on a connection of its own, take well under a second", "[stage3]") {
    auto server = start_stage3("testing:stream", {"-w", "1"});
    const int port = server->port();
    const auto start = std::chrono::steady_clock::now();
    int answered = 0;
    for (int i = 0; i < 200; ++i) {
        RawClient client(port);
        const auto response = client.exchange(get("/?n=3"));
        if (response && response->status == 200 && client.wait_for_close(1s)) ++answered;
    }
    CHECK(answered == 200);
    CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("max-requests recycles the worker", "[stage3]") {
    auto server = start_stage3("testing:worker_pid", {"-w", "1", "--max-requests", "3"});
    const int port = server->port();
    const auto pids = answering_pids(port, 7);
    INFO(server->output());
    CHECK(pids.size() >= 2);
    CHECK(server->wait_for_output("Autorestarting worker after current request."));
}

TEST_CASE("the access log uses Gunicorn's atoms", "[stage3]") {
    auto server = start_stage3("hello_world:process_http_request",
                               {"--access-logfile", "-", "--access-logformat",
                                R"(%(h)s "%(r)s" %(s)s %(b)s %({x-trace}i)s %({content-type}o)s D=%(D)s)"});
    RawClient client(server->port());
    client.exchange(get("/logged?x=1", "X-Trace: abc\r\n"));
    CHECK(server->wait_for_output(
        R"(127\.0\.0\.1 "GET /logged\?x=1 HTTP/1\.1" 200 11 abc text/plain; charset=utf-8 D=\d+)"));
}

TEST_CASE("the default access log format is Gunicorn's", "[stage3]") {
    auto server = start_stage3("hello_world:process_http_request", {"--access-logfile", "-"});
    RawClient client(server->port());
    client.exchange(get("/", "User-Agent: test-agent\r\nReferer: http://r/\r\n"));
    CHECK(server->wait_for_output(
        R"(127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET / HTTP/1\.1" 200 11 "http://r/" "test-agent")"));
}

TEST_CASE("a trusted proxy may set the scheme, never REMOTE_ADDR, as in Gunicorn", "[stage3]") {
    const std::string request = get("/", "X-Forwarded-For: 6.6.6.6, 203.0.113.7\r\nX-Forwarded-Proto: https\r\n");
    {
        auto trusted = start_stage3("testing:dump_environ");  // default: 127.0.0.1 is trusted
        auto client = RawClient::from_address("127.0.0.2", trusted->port());
        auto response = client.exchange(request);
        REQUIRE(response);
        CHECK(response->body.find("REMOTE_ADDR=127.0.0.2\n") != std::string::npos);  // the socket's peer
        CHECK(response->body.find("HTTP_X_FORWARDED_FOR=6.6.6.6, 203.0.113.7\n") != std::string::npos);
        CHECK(response->body.find("wsgi.url_scheme=http\n") != std::string::npos);  // 127.0.0.2 is not trusted
        CHECK(response->body.find("wsgi.multiprocess=0\n") != std::string::npos);  // one worker

        RawClient from_trusted(trusted->port());
        response = from_trusted.exchange(request);
        REQUIRE(response);
        CHECK(response->body.find("REMOTE_ADDR=127.0.0.1\n") != std::string::npos);
        CHECK(response->body.find("wsgi.url_scheme=https\n") != std::string::npos);
        RawClient ssl_on(trusted->port());
        CHECK(ssl_on.answer(get("/", "X-Forwarded-Ssl: on\r\n")).body.find("wsgi.url_scheme=https\n") != std::string::npos);
        RawClient contradicting(trusted->port());
        const auto refused = contradicting.answer(get("/", "X-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n"));
        CHECK(refused.status == 400);
        CHECK(refused.body.find("Contradictory scheme headers") != std::string::npos);
    }
    auto untrusted = start_stage3("testing:dump_environ", {"--forwarded-allow-ips", "10.0.0.1"});
    RawClient client(untrusted->port());
    const auto response = client.exchange(request);
    REQUIRE(response);
    CHECK(response->body.find("REMOTE_ADDR=127.0.0.1\n") != std::string::npos);
    CHECK(response->body.find("wsgi.url_scheme=http\n") != std::string::npos);

    // Gunicorn sets wsgi.multiprocess when --workers is above 1.
    auto several = start_stage3("testing:dump_environ", {"-w", "2"});
    RawClient another(several->port());
    CHECK(another.answer(get("/")).body.find("wsgi.multiprocess=1\n") != std::string::npos);
}

TEST_CASE("request limits answer as Gunicorn does", "[stage3]") {
    for (std::string worker_class : {"sync", "async"}) {
        auto server = start_stage3("hello_world:process_http_request",
                                   {"-k", worker_class, "--limit-request-line", "100", "--limit-request-fields", "5",
                                    "--limit-request-field-size", "50"});
        const int port = server->port();
        const std::vector<std::pair<std::string, int>> cases = {
            {"GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 400},
            {"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n", 431},
            {"GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(60, 'v') + "\r\n\r\n", 431},
            {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 400},
            {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        };
        for (const auto& [request, status] : cases) {
            RawClient client(port);
            const auto response = client.exchange(request);
            INFO(worker_class << "\n" << client.transcript());
            REQUIRE(response);
            CHECK(response->status == status);
        }
    }
}

TEST_CASE("out of file descriptors, the async worker pauses accepting, logs once, and recovers", "[stage3]") {
    ServerProcess server("prlimit", with_open_file_limit(40, binary("stage3-prefork-server"),
                                                         {"hello_world:process_http_request", "--bind", "127.0.0.1:0",
                                                          "--app-path", WEBSTACK_TEST_APPS_DIR, "-k", "async",
                                                          "--keep-alive", "10"}));  // idle connections stay
    check_survives_descriptor_exhaustion(server, "Cannot accept a connection: Too many open files");
}
