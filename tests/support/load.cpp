#include "load.hpp"

#include <algorithm>
#include <optional>

namespace webstack::testing {

double LoadResult::percentile(double fraction) const {
    if (latencies_ms.empty()) return 0;
    auto sorted = latencies_ms;
    std::sort(sorted.begin(), sorted.end());
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1));
    return sorted[index];
}

LoadGenerator::LoadGenerator(int port, int clients, std::string request, std::chrono::milliseconds timeout)
    : port_(port), request_(std::move(request)), timeout_(timeout), results_(static_cast<std::size_t>(clients)) {
    for (auto& result : results_) threads_.emplace_back([this, &result] { run_client(result); });
}

LoadGenerator::~LoadGenerator() {
    done_ = true;
    for (auto& thread : threads_)
        if (thread.joinable()) thread.join();
}

// No Catch2 macros here: they are not thread-safe.
void LoadGenerator::run_client(LoadResult& result) {
    std::optional<RawClient> client;
    bool reused = false;
    while (!done_) {
        const auto start = std::chrono::steady_clock::now();
        std::optional<http::Response> response;
        for (int attempt = 0; attempt < 2 && !response; ++attempt) {
            if (!client || attempt > 0) {
                client.reset();
                reused = false;
                auto fresh = RawClient::try_connect(port_);
                if (!fresh) break;
                client.emplace(std::move(*fresh));
            }
            response = client->exchange(request_, timeout_);
            if (!response && !reused) break;  // a fresh connection that failed: no retry
        }
        const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
        if (response && response->status < 500) {
            ++result.requests;
            result.latencies_ms.push_back(elapsed.count());
            reused = response->keep_alive;
            if (!response->keep_alive) client.reset();
        } else {
            ++result.failures;
            client.reset();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));  // do not hammer a server that is down
        }
    }
}

LoadResult LoadGenerator::finish() {
    done_ = true;
    for (auto& thread : threads_) thread.join();
    LoadResult total;
    for (const auto& result : results_) {
        total.requests += result.requests;
        total.failures += result.failures;
        total.latencies_ms.insert(total.latencies_ms.end(), result.latencies_ms.begin(), result.latencies_ms.end());
    }
    return total;
}

}  // namespace webstack::testing
