// An app to watch a prefork server at work (chapter 3). Every answer says
// which process served it, so you can see the requests spread over the
// workers and see a replaced worker come back with a new pid:
//
//     GET /                    -> "served by worker 1234"
//     GET /slow?seconds=N      -> sleeps N seconds first: a slow view, or,
//                                 past --timeout, a stuck one
//
// Run it:  stage3-prefork-server workers:application -w 3
#include "wsgi/contract.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <unistd.h>

using namespace webstack::wsgi;

namespace {
// ?seconds=N, clamped to 0..600; 1 when absent or not a number.
int seconds_asked(const Environ& environ) {
    const std::string query = environ.get("QUERY_STRING");
    const auto at = query.find("seconds=");
    if (at == std::string::npos) return 1;
    int seconds = 0;
    bool digits = false;
    for (auto i = at + 8; i < query.size() && query[i] >= '0' && query[i] <= '9' && seconds < 600; ++i) {
        seconds = seconds * 10 + (query[i] - '0');
        digits = true;
    }
    return digits ? std::min(seconds, 600) : 1;
}
}  // namespace

Body application(Environ& environ, StartResponse& start_response) {
    std::string text;
    if (environ.get("PATH_INFO") == "/slow") {
        const int seconds = seconds_asked(environ);
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
