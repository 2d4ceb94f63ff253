#include "arbiter/heartbeat.hpp"

#include <stdexcept>
#include <sys/mman.h>

namespace webstack::arbiter {

namespace {
std::int64_t now_ms() {
    // CLOCK_MONOTONIC is one clock for the whole machine, so the master can
    // compare a worker's beat with its own "now".
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
}  // namespace

HeartbeatTable::HeartbeatTable(std::size_t slots) : slots_(slots) {
    // MAP_SHARED | MAP_ANONYMOUS: memory that stays shared across fork().
    void* memory = ::mmap(nullptr, sizeof(std::atomic<std::int64_t>) * slots, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::runtime_error("cannot map the heartbeat table");
    beats_ = static_cast<std::atomic<std::int64_t>*>(memory);
    for (std::size_t i = 0; i < slots; ++i) new (&beats_[i]) std::atomic<std::int64_t>(now_ms());
}

HeartbeatTable::~HeartbeatTable() { ::munmap(beats_, sizeof(std::atomic<std::int64_t>) * slots_); }

void HeartbeatTable::beat(std::size_t slot) { beats_[slot].store(now_ms(), std::memory_order_relaxed); }

std::chrono::milliseconds HeartbeatTable::silence(std::size_t slot) const {
    return std::chrono::milliseconds(now_ms() - beats_[slot].load(std::memory_order_relaxed));
}

}  // namespace webstack::arbiter
