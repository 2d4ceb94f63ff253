#include "connection_threads.hpp"

#include "log/runserver_log.hpp"

#include <fmt/format.h>

#include <system_error>

namespace webstack::stage1 {

ConnectionThreads::~ConnectionThreads() {
    for (auto& entry : threads_) entry.thread.join();
}

void ConnectionThreads::start(net::Socket connection) {
    join_finished();
    auto& entry = threads_.emplace_back();
    try {
        entry.thread = std::thread([this, &entry, connection = std::move(connection)]() mutable {
            serve_(connection);
            entry.finished = true;
        });
    } catch (const std::system_error& error) {
        // Out of threads (or memory for their stacks): this client is
        // refused; the connection closes with the lambda that held it.
        log::runserver_message(fmt::format("cannot start a thread for a new connection: {}", error.what()));
        threads_.pop_back();
    }
}

void ConnectionThreads::join_finished() {
    threads_.remove_if([](Thread& entry) {
        if (!entry.finished) return false;
        entry.thread.join();  // it has finished: returns at once
        return true;
    });
}

}  // namespace webstack::stage1
