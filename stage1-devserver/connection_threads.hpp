// runserver's threading (Python's socketserver.ThreadingMixIn): a new
// thread for every connection, with no limit on how many. A thread that
// waits for a slow client blocks only itself; but a thousand idle clients
// are a thousand threads, and all of them live in one process.
#pragma once

#include "net/listener.hpp"

#include <atomic>
#include <functional>
#include <list>
#include <thread>

namespace webstack::stage1 {

class ConnectionThreads {
public:
    using Serve = std::function<void(net::Socket& connection)>;
    explicit ConnectionThreads(Serve serve) : serve_(std::move(serve)) {}
    // Waits for every thread (a stop signal ends their waits).
    ~ConnectionThreads();
    ConnectionThreads(const ConnectionThreads&) = delete;
    ConnectionThreads& operator=(const ConnectionThreads&) = delete;

    // Serves `connection` on a thread of its own.
    void start(net::Socket connection);
    // Joins the threads whose connection has ended (the accept loop calls
    // this about once a second, so that ended threads do not linger).
    void join_finished();

private:
    struct Thread {
        std::thread thread;
        std::atomic<bool> finished{false};
    };

    Serve serve_;
    std::list<Thread> threads_;  // a list: a running thread holds a reference to its entry
};

}  // namespace webstack::stage1
