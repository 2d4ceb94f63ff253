// What both worker classes share: their settings, and the parts of serving
// a request that do not depend on how connections are handled (the access
// log line, trusted X-Forwarded-* headers, worker signals).
#pragma once

#include "arbiter/arbiter.hpp"
#include "http/parser.hpp"
#include "net/listener.hpp"
#include "response_writer.hpp"
#include "wsgi/contract.hpp"
#include "wsgi/gateway.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace webstack::stage3 {

struct WorkerSettings {
    std::vector<net::Listener*> listeners;
    wsgi::Application application;
    std::chrono::seconds timeout{30};
    std::chrono::seconds graceful_timeout{30};
    std::chrono::seconds keep_alive{2};
    int max_requests = 0;                 // jitter already added; 0: never retire
    http::ParserLimits limits;
    std::string access_log_format;
    std::vector<std::string> forwarded_allow_ips;
    bool multiprocess = false;            // --workers > 1: wsgi.multiprocess, as Gunicorn sets it
};

// What a prefork server adds to the environ: wsgi.multiprocess, and
// Gunicorn's --forwarded-allow-ips: only a proxy we trust may tell us the
// scheme (X-Forwarded-Proto: https, X-Forwarded-Ssl: on, X-Forwarded-Protocol:
// ssl; contradicting ones are a 400). REMOTE_ADDR stays the socket's peer,
// as in Gunicorn, which never reads X-Forwarded-For: behind a proxy an app
// reads HTTP_X_FORWARDED_FOR itself.
wsgi::EnvironHook adjust_environ(const WorkerSettings& settings);

// Writes the access log line for one request, if the access log is on.
void log_access(const std::string& format, const http::Request& request, const net::Endpoints& connection,
                const stage1::ResponseWriter& writer, std::chrono::steady_clock::duration duration);

// The worker's side of Gunicorn's signals: TERM finishes the current work
// and exits; INT and QUIT exit now; USR1 reopens the log files.
void install_worker_signals();
bool worker_alive();
void stop_worker();              // as if TERM arrived (e.g. after --max-requests)
bool take_reopen_request();      // true once after each USR1

// --reload: a thread that looks at the app's files every second and, when
// one changed, logs it and stops this worker as TERM would; the master then
// starts a new one, which loads the new code (Gunicorn's reloader does the same).
void start_reloader(std::function<std::vector<std::string>()> list_files);

int run_sync_worker(arbiter::WorkerContext& context, const WorkerSettings& settings);
int run_async_worker(arbiter::WorkerContext& context, const WorkerSettings& settings);

}  // namespace webstack::stage3
