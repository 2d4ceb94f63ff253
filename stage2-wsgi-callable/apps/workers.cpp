// An app to watch a prefork server at work (chapter 3). Every answer says
// which process served it, so you can see the requests spread over the
// workers and see a replaced worker come back with a new pid:
//
//     GET /                    -> "served by worker 1234"
//     GET /slow?seconds=N      -> sleeps N seconds first: a slow view, or,
//                                 past --timeout, a stuck one
//     GET /bytes?mib=N         -> N MiB of text (1 to 64): a big answer, for a
//                                 client that reads slowly (chapter 4b)
//
// Run it:  stage3-prefork-server workers:application -w 3
#include "wsgi/contract.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

using namespace webstack::wsgi;

namespace {
// ?NAME=N in the query string, clamped to 0..most; 1 when absent or not a number.
int number_asked(const Environ& environ, const std::string& name, int most) {
    const std::string query = environ.get("QUERY_STRING");
    const auto at = query.find(name + "=");
    if (at == std::string::npos) return 1;
    int number = 0;
    bool digits = false;
    for (auto i = at + name.size() + 1; i < query.size() && query[i] >= '0' && query[i] <= '9' && number < most; ++i) {
        number = number * 10 + (query[i] - '0');
        digits = true;
    }
    return digits ? std::min(number, most) : 1;
}
}  // namespace

Body application(Environ& environ, StartResponse& start_response) {
    std::string text;
    if (environ.get("PATH_INFO") == "/bytes") {
        const int mebibytes = std::max(number_asked(environ, "mib", 64), 1);
        const std::string line(63, 'x');
        std::string mebibyte;
        while (mebibyte.size() < 1024 * 1024) mebibyte += line + "\n";
        start_response("200 OK", {{"Content-Type", "text/plain; charset=utf-8"},
                                  {"Content-Length", std::to_string(mebibyte.size() * mebibytes)}});
        return Body(std::vector<std::string>(mebibytes, mebibyte));
    }
    if (environ.get("PATH_INFO") == "/slow") {
        const int seconds = number_asked(environ, "seconds", 600);
        std::this_thread::sleep_for(std::chrono::seconds(seconds));
        text = "slept " + std::to_string(seconds) + " s in worker " + std::to_string(::getpid()) + "\n";
    } else {
        text = "served by worker " + std::to_string(::getpid()) + "\n";
    }
    start_response("200 OK", {{"Content-Type", "text/plain; charset=utf-8"},
                              {"Content-Length", std::to_string(text.size())}});
    return {text};
}

WSGI_APPLICATION(application);
