// The arbiter alone, for its tests: stage 3's real master (arbiter/), with
// workers that do exactly what a test asks and serve no HTTP.
//   arbiter-harness --worker KIND [--dialect gunicorn|nginx] [--workers N]
//                   [--max-workers N] [--timeout S] [--graceful-timeout S] [--finish S]
//                   [--slow-usr1 MS]   (the master's USR1 work takes MS milliseconds)
// KIND:
//   serve              beats until told to stop; the graceful signal lets
//                      it finish its work for --finish seconds first
//   stuck              beats once, then never again (a view that hangs)
//   throw-after-boot   the first worker throws once booted; the next ones serve
//   throw-before-boot  every worker throws before it has booted
#include "arbiter/arbiter.hpp"
#include "cli/command_line.hpp"
#include "log/log.hpp"

#include <csignal>
#include <stdexcept>
#include <thread>
#include <unistd.h>

using namespace webstack;

namespace {
volatile std::sig_atomic_t finish_asked = 0;
volatile std::sig_atomic_t stop_now = 0;
extern "C" void on_finish(int) { finish_asked = 1; }
extern "C" void on_stop_now(int) { stop_now = 1; }

void install(int signal_number, void (*handler)(int)) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, nullptr);
}

struct Settings {
    std::string worker = "serve";
    std::string dialect = "gunicorn";
    int finish_seconds = 0;
};

int serve(arbiter::WorkerContext& context, const Settings& settings) {
    context.booted = true;
    std::optional<std::chrono::steady_clock::time_point> finish_by;
    while (!stop_now) {
        context.beat();
        if (finish_asked && !finish_by)
            finish_by = std::chrono::steady_clock::now() + std::chrono::seconds(settings.finish_seconds);
        if (finish_by && std::chrono::steady_clock::now() >= *finish_by) {
            log::info("Worker finished its work (pid: {})", ::getpid());
            return 0;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    log::info("Worker stopped at once (pid: {})", ::getpid());
    return 0;
}

int run_worker(arbiter::WorkerContext& context, const Settings& settings) {
    // The handlers first: a test may signal as soon as it reads the boot line.
    const bool nginx = settings.dialect == "nginx";
    install(nginx ? SIGQUIT : SIGTERM, on_finish);     // the graceful signal
    install(nginx ? SIGTERM : SIGQUIT, on_stop_now);   // the quick one
    install(SIGINT, on_stop_now);
    log::info("Booting worker with pid: {}", ::getpid());
    if (settings.worker == "throw-before-boot") throw std::runtime_error("thrown before booting");
    if (settings.worker == "throw-after-boot" && context.age == 1) {
        context.booted = true;
        throw std::runtime_error("thrown after booting");
    }
    if (settings.worker == "stuck") {
        context.booted = true;
        std::signal(SIGUSR1, SIG_IGN);  // the master passes USR1 on to its workers
        while (!finish_asked && !stop_now) ::pause();  // no more beats
        return 0;
    }
    return serve(context, settings);
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"The arbiter with scripted workers, for tests", "arbiter-harness"};
    Settings settings;
    arbiter::ArbiterOptions options;
    int timeout = 30, graceful_timeout = 30, slow_usr1_ms = 0;
    cli.add_option("--worker", settings.worker)
        ->check(CLI::IsMember({"serve", "stuck", "throw-after-boot", "throw-before-boot"}));
    cli.add_option("--dialect", settings.dialect)->check(CLI::IsMember({"gunicorn", "nginx"}));
    cli.add_option("--workers", options.workers);
    cli.add_option("--max-workers", options.max_workers);
    cli.add_option("--timeout", timeout);
    cli.add_option("--graceful-timeout", graceful_timeout);
    cli.add_option("--finish", settings.finish_seconds);
    cli.add_option("--slow-usr1", slow_usr1_ms);
    if (auto exit_status = cli::parse(cli, argc, argv)) return *exit_status;

    options.dialect = settings.dialect == "nginx" ? arbiter::Dialect::Nginx : arbiter::Dialect::Gunicorn;
    options.program = "arbiter-harness";
    options.timeout = std::chrono::seconds(timeout);
    options.graceful_timeout = std::chrono::seconds(graceful_timeout);
    options.worker_class = settings.worker;
    options.listening_urls = {"http://127.0.0.1:1"};  // nothing listens: the tests read this line to start
    arbiter::ArbiterHooks hooks;
    // Busy in the master: signals that arrive meanwhile queue up in its pipe.
    hooks.reopen_logs = [slow_usr1_ms] { std::this_thread::sleep_for(std::chrono::milliseconds(slow_usr1_ms)); };
    return arbiter::Arbiter(options, [&](arbiter::WorkerContext& context) { return run_worker(context, settings); },
                            hooks)
        .run();
}
