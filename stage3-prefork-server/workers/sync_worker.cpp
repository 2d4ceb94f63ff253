// The sync worker, like Gunicorn's: one connection at a time, one request
// per connection ("Connection: close"), blocking calls. While it serves a
// request it cannot beat its heart, so a slow client or a slow app that
// takes longer than --timeout gets the worker killed by the master. That
// is why Gunicorn's docs say sync workers belong behind a buffering proxy.
#include "config.hpp"
#include "dev_server.hpp"
#include "log/log.hpp"
#include "workers/worker.hpp"

#include <poll.h>
#include <unistd.h>

namespace webstack::stage3 {

namespace {
stage1::DevServerOptions connection_options(const WorkerSettings& settings) {
    stage1::DevServerOptions options;
    options.limits = settings.limits;
    options.status_for_error = status_for;
    options.keep_alive = false;
    options.server_name = "webstack-stage3";
    // A client gets as long as the master gives the worker: --timeout.
    options.idle_timeout = settings.timeout.count() ? settings.timeout : std::chrono::seconds(30);
    options.log_request = [format = settings.access_log_format](const http::Request& request,
                                                                const net::Endpoints& connection,
                                                                const stage1::ResponseWriter& writer,
                                                                std::chrono::steady_clock::duration duration) {
        log_access(format, request, connection, writer, duration);
    };
    return options;
}

// Beat at least every timeout/2, and look around (signals, the master) at
// least once a second.
int poll_interval_ms(std::chrono::seconds timeout) {
    if (timeout.count() == 0) return 1000;
    return static_cast<int>(std::min<long>(1000, timeout.count() * 1000 / 2));
}
}  // namespace

int run_sync_worker(arbiter::WorkerContext& context, const WorkerSettings& settings) {
    install_worker_signals();
    log::info("Booting worker with pid: {}", ::getpid());
    std::vector<pollfd> waiting;
    for (auto* listener : settings.listeners) {
        listener->acceptor().non_blocking(true);  // another worker may win the race for a connection
        waiting.push_back({listener->native_handle(), POLLIN, 0});
    }
    const auto adjust = adjust_environ(settings);
    stage1::DevServer connections(
        *settings.listeners.front(),
        [&](const http::Request& request, const net::Endpoints& connection, stage1::ResponseWriter& writer) {
            wsgi::serve(settings.application, request, connection, writer, adjust);
        },
        connection_options(settings));

    const int wait_ms = poll_interval_ms(settings.timeout);
    int handled = 0;
    while (worker_alive()) {
        context.beat();
        if (take_reopen_request()) log::reopen_log_files();
        if (!context.master_alive()) {
            log::info("Parent changed, shutting down: {}", ::getpid());
            break;
        }
        if (::poll(waiting.data(), waiting.size(), wait_ms) <= 0) continue;  // timeout, or a signal
        for (std::size_t i = 0; i < waiting.size() && worker_alive(); ++i) {
            if (!(waiting[i].revents & POLLIN)) continue;
            boost::system::error_code error;
            auto& listener = *settings.listeners[i];
            auto socket = listener.acceptor().accept(error);
            if (net::is_out_of_resources(error)) {  // out of descriptors: pause, do not spin
                if (listener.backoff().failed()) log::error("{}", net::out_of_resources_message(error));
                ::poll(nullptr, 0, static_cast<int>(net::AcceptBackoff::pause.count()));
                break;
            }
            if (error) continue;  // another worker took it
            listener.backoff().succeeded();
            net::disable_nagle(socket);
            connections.serve_connection(socket);
            context.beat();
            if (settings.max_requests && ++handled >= settings.max_requests) {
                log::info("Autorestarting worker after current request.");
                stop_worker();
            }
        }
    }
    log::info("Worker exiting (pid: {})", ::getpid());
    return 0;
}

}  // namespace webstack::stage3
