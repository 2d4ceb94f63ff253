#include "workers/worker.hpp"

#include "http/message_rules.hpp"
#include "log/access_log.hpp"
#include "log/log.hpp"

#include "reloader.hpp"

#include <algorithm>
#include <array>
#include <csignal>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace webstack::stage3 {

namespace {
volatile std::sig_atomic_t alive = 1;
volatile std::sig_atomic_t reopen_requested = 0;

extern "C" void on_term(int) { alive = 0; }
extern "C" void on_quit(int) { ::_exit(0); }
extern "C" void on_usr1(int) { reopen_requested = 1; }

void install(int signal_number, void (*handler)(int)) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a worker waiting in poll() wakes up
    sigaction(signal_number, &action, nullptr);
}
}  // namespace

void install_worker_signals() {
    install(SIGTERM, on_term);
    install(SIGINT, on_quit);
    install(SIGQUIT, on_quit);
    install(SIGUSR1, on_usr1);
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
}

bool worker_alive() { return alive != 0; }
void stop_worker() { alive = 0; }

void start_reloader(std::function<std::vector<std::string>()> list_files) {
    // The thread is born with every signal blocked, so that the TERM it
    // sends (and any other) is taken by the worker's own thread, whose
    // wait it interrupts.
    sigset_t all, previous;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, &previous);
    std::thread([list_files = std::move(list_files)] {
        stage2::FileWatcher watcher(list_files);
        for (;;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            if (const auto file = watcher.changed()) {
                log::info("Worker reloading: {} modified", *file);  // Gunicorn's words
                ::kill(::getpid(), SIGTERM);
                return;
            }
        }
    }).detach();
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

bool take_reopen_request() {
    if (!reopen_requested) return false;
    reopen_requested = 0;
    return true;
}

wsgi::EnvironHook adjust_environ(const WorkerSettings& settings) {
    return [allowed = settings.forwarded_allow_ips,
            multiprocess = settings.multiprocess](wsgi::Environ& environ) -> std::optional<std::string> {
        environ.wsgi_multiprocess = multiprocess;
        const auto peer = environ.get("REMOTE_ADDR");
        const bool trusted = std::find(allowed.begin(), allowed.end(), "*") != allowed.end() ||
                             std::find(allowed.begin(), allowed.end(), peer) != allowed.end();
        if (!trusted) return std::nullopt;
        // Gunicorn's default secure_scheme_headers: each one present says
        // "https" when it has its value, else "http"; they must agree.
        constexpr std::array<std::pair<const char*, const char*>, 3> secure_scheme_headers{
            {{"HTTP_X_FORWARDED_PROTOCOL", "ssl"}, {"HTTP_X_FORWARDED_PROTO", "https"}, {"HTTP_X_FORWARDED_SSL", "on"}}};
        std::string scheme;
        for (const auto& [name, secure_value] : secure_scheme_headers) {
            if (!environ.vars.contains(name)) continue;
            const std::string said = environ.get(name) == secure_value ? "https" : "http";
            if (!scheme.empty() && said != scheme) return "Contradictory scheme headers";
            scheme = said;
        }
        if (!scheme.empty()) environ.wsgi_url_scheme = scheme;
        return std::nullopt;
    };
}

void log_access(const std::string& format, const http::Request& request, const net::Endpoints& connection,
                const stage1::ResponseWriter& writer, std::chrono::steady_clock::duration duration) {
    if (!log::access_log_enabled()) return;
    log::AccessRecord record;
    record.remote_address = connection.remote_host;
    record.request_line = http::request_line(request);
    record.status = writer.status();
    record.body_bytes = writer.body_bytes();
    record.request_headers = &request.headers;
    record.response_headers = &writer.headers();
    record.duration = std::chrono::duration_cast<std::chrono::microseconds>(duration);
    log::write_access_line(log::format_access_line(format, record));
}

}  // namespace webstack::stage3
