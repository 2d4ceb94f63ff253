// Blocking reads and writes that give up after a deadline.
//
// A blocking read waits forever for a client that never sends; a server
// must not. SO_RCVTIMEO does not help here (Asio's blocking calls retry
// after it fires), so before each blocking call we poll() the socket with
// the time that is left, and only read or write once it is ready.
#pragma once

#include "net/listener.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace webstack::net {

using Clock = std::chrono::steady_clock;
// A deadline that never comes: wait as long as it takes (or until a stop signal).
constexpr Clock::time_point no_deadline = Clock::time_point::max();

enum class WaitResult { Ready, TimedOut, Stopped };

// Waits until the file descriptor can be read (or written), the deadline
// passes, or a stop signal arrives (in any thread: see stop_signals.hpp).
WaitResult wait_readable(int fd, Clock::time_point deadline);
WaitResult wait_writable(int fd, Clock::time_point deadline);

enum class ReadStatus { Data, Closed, TimedOut, Stopped, Failed };

// Appends what the socket has (at most 64 KiB) to `buffer`, waiting until
// the deadline for at least one byte. Closed means the peer sent EOF.
ReadStatus read_some(Socket& socket, std::string& buffer, Clock::time_point deadline);

// Writes all of `data` before the deadline; false when it could not.
bool write_all(Socket& socket, std::string_view data, Clock::time_point deadline);

// Sends `count` bytes of the open file `file_fd` from `offset` with
// sendfile(): the kernel copies them from the page cache to the socket,
// and they never enter this process. False when it could not before the
// deadline, or the file ended first.
bool send_file_all(Socket& socket, int file_fd, std::int64_t offset, std::size_t count, Clock::time_point deadline);

// Accepts one connection (with Nagle's algorithm off: see disable_nagle);
// nothing when a stop signal arrived or the deadline passed first
// (stop_requested() tells which).
std::optional<Socket> accept_until(Listener& listener, Clock::time_point deadline);

// Closes the connection at once: for when the whole request was read and
// the client has nothing more to send.
void close_now(Socket& socket);

// Closes the connection politely. Closing a socket with unread bytes
// makes the kernel send a reset, and a reset can destroy the response the
// client has not read yet (say a 413 while it is still uploading). So we
// stop sending, then read and discard what the client still sends, until
// it closes, or is quiet for `quiet`, or `linger` has passed; then close.
// nginx calls this a lingering close (lingering_timeout, lingering_time).
void close_gracefully(Socket& socket, std::chrono::milliseconds quiet = std::chrono::milliseconds(200),
                      std::chrono::milliseconds linger = std::chrono::milliseconds(2000));

}  // namespace webstack::net
