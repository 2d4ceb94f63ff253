// A steady load for fault tests: N client threads, each sending the same
// request again and again on a kept-alive connection, until finish().
// Like a browser, a client whose reused connection closed before any
// answer retries once on a new one (the server may close an idle
// connection at any time, RFC 9112 section 9.3.1): only a request that
// got no answer on a fresh connection, or a cut answer, is a failure.
#pragma once

#include "raw_client.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace webstack::testing {

struct LoadResult {
    int requests = 0;                 // answered with 2xx
    int failures = 0;                 // no answer, a cut answer, or a status >= 500
    std::vector<double> latencies_ms;
    double percentile(double fraction) const;  // 0.99: p99, in milliseconds
};

class LoadGenerator {
public:
    LoadGenerator(int port, int clients, std::string request = get("/"), std::chrono::milliseconds timeout = 5s);
    ~LoadGenerator();
    LoadGenerator(const LoadGenerator&) = delete;
    LoadGenerator& operator=(const LoadGenerator&) = delete;

    // Stops the clients and adds up what they saw.
    LoadResult finish();

private:
    void run_client(LoadResult& result);

    int port_;
    std::string request_;
    std::chrono::milliseconds timeout_;
    std::atomic<bool> done_ = false;
    std::vector<LoadResult> results_;
    std::vector<std::thread> threads_;
};

}  // namespace webstack::testing
