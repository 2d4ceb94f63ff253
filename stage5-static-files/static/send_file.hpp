// Moving a file's bytes to a socket. With `sendfile on` the kernel copies
// them from its page cache straight into the socket (sendfile(2), "zero
// copy": the bytes never enter our process); with it off they are read
// into a buffer and written, as any program would.
//
// Our sockets are non-blocking, driven by Asio: when the client's socket
// buffer is full, sendfile() says EAGAIN, and we wait (without blocking the
// worker) until the socket can take more.
#pragma once

#include "net/listener.hpp"
#include "net/timed_io.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string_view>

namespace webstack::stage5 {

// Writes the response head. `body_follows`: tell the kernel more comes at
// once (MSG_MORE), so that head and the start of the file leave together.
boost::asio::awaitable<net::IoResult> send_head(net::Socket& socket, std::string_view head, bool body_follows,
                                                net::Duration timeout);

// `count` bytes of the open file `fd`, from `offset`.
struct FileRange {
    int fd = -1;
    std::uint64_t offset = 0;
    std::uint64_t count = 0;
};

// Sends the range, with sendfile(2) or through a buffer. `timeout` bounds
// each wait for the client to take more (nginx's send_timeout).
boost::asio::awaitable<net::IoResult> send_file_range(net::Socket& socket, FileRange range, bool use_sendfile,
                                                      net::Duration timeout);

}  // namespace webstack::stage5
