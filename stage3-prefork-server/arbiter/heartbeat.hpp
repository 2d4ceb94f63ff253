// How the master knows a worker is alive: every worker writes the time into
// its own slot of a small shared-memory table, at least every timeout/2
// (between requests, and while idle). The master reads the table once a
// second; a slot older than --timeout means the worker is stuck.
//
// Gunicorn does the same with a timestamp of an unlinked temp file per
// worker, read by the master with fstat(): since 22.0 the worker sets its
// modification time (os.utime, st_mtime); 21 and older, Debian's 20.1
// among them, flip its mode (os.fchmod), which moves its change time
// (st_ctime). Shared memory avoids a system call and a file per beat; both
// survive fork because they exist before it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace webstack::arbiter {

class HeartbeatTable {
public:
    explicit HeartbeatTable(std::size_t slots);
    ~HeartbeatTable();
    HeartbeatTable(const HeartbeatTable&) = delete;
    HeartbeatTable& operator=(const HeartbeatTable&) = delete;

    // Called by a worker: "I am alive now".
    void beat(std::size_t slot);
    // Called by the master: how long since the worker in `slot` last beat.
    std::chrono::milliseconds silence(std::size_t slot) const;
    std::size_t size() const { return slots_; }

private:
    std::atomic<std::int64_t>* beats_ = nullptr;  // steady-clock milliseconds, one per slot
    std::size_t slots_ = 0;
};

}  // namespace webstack::arbiter
