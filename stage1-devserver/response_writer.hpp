// Sends one response on a connection while it is being produced, and
// decides how its body is framed (RFC 9112 section 6.3):
//   - the head has Content-Length: exactly that many bytes, never more;
//   - otherwise, to an HTTP/1.1 client: chunked;
//   - otherwise (HTTP/1.0): the body ends when the connection closes.
// HEAD requests and 1xx, 204 and 304 responses get no body at all.
// Stage 1's pages are built whole and sent with send(); stage 2's apps
// stream theirs with start(), write() and finish().
//
// The head waits for the body's first bytes and leaves with them in one
// write; a whole response is one write. Two small writes in a row are what
// Nagle's algorithm holds back (see net::disable_nagle): head and body
// sent apart once cost every kept-alive request 40 ms.
#pragma once

#include "http/message.hpp"
#include "net/listener.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace webstack::stage1 {

class ResponseWriter {
public:
    // Where the bytes go: the socket (blocking servers) or a buffer that an
    // async server sends later. Returns false when the bytes could not go.
    using Sink = std::function<bool(std::string_view bytes)>;
    // Where a file's bytes go without passing through us (sendfile), when
    // the connection can take them that way: count bytes of fd from offset.
    using FileSink = std::function<bool(int fd, std::int64_t offset, std::size_t count)>;

    ResponseWriter(Sink sink, const http::Request& request, std::string_view server_name, bool allow_keep_alive = true,
                   FileSink file_sink = {});
    // Writes straight to a blocking socket, giving up after `write_timeout`.
    static Sink socket_sink(net::Socket& socket, std::chrono::milliseconds write_timeout);
    static FileSink socket_file_sink(net::Socket& socket, std::chrono::milliseconds write_timeout);

    // Takes the status line and the headers (not head.body); they are sent
    // with the first body bytes, or by finish().
    void start(http::Response head);
    // Sends body bytes (the head first, in the same write, if it has not
    // gone yet). Bytes past a declared Content-Length are dropped.
    void write(std::string_view bytes);
    // Sends `count` bytes of a file as body bytes, with sendfile (framed as
    // write() frames bytes). Only when can_send_file().
    void send_file(int fd, std::int64_t offset, std::size_t count);
    bool can_send_file() const { return static_cast<bool>(file_sink_); }
    // Ends the body. A body shorter than its Content-Length leaves the
    // client waiting for bytes that never come: the connection must close.
    void finish();
    // Gives up on a response that has started: the connection will close.
    void abort() { failed_ = true; }
    // A whole response at once: start(), write(body), finish().
    void send(http::Response response);

    bool started() const { return started_; }
    int status() const { return status_; }
    // The headers as sent (for access logs' {header}o).
    const http::HeaderList& headers() const { return headers_; }
    std::size_t body_bytes() const { return body_bytes_; }
    // Whether the connection may carry another request after this response.
    bool keep_alive() const { return keep_alive_ && !failed_; }
    // True once a write failed (the client went away) or the response was aborted.
    bool failed() const { return failed_; }

private:
    // Adds body bytes (framed) behind what waits to be sent.
    void append_body(std::string_view bytes);
    // Adds the end of the body (the last chunk, when chunked).
    void end_body();
    // Sends what waits, in one write.
    void flush();
    // A body shorter than its Content-Length (the connection must close).
    bool body_too_short() const;

    Sink sink_;
    FileSink file_sink_;
    std::string unsent_;   // the head, and body bytes framed but not sent yet
    const http::Request& request_;
    std::string_view server_name_;
    bool allow_keep_alive_;
    bool started_ = false, finished_ = false, failed_ = false;
    bool keep_alive_ = true;
    http::HeaderList headers_;
    bool send_body_ = true, chunked_ = false;
    std::optional<std::size_t> content_length_;
    int status_ = 0;
    std::size_t body_bytes_ = 0;
};

}  // namespace webstack::stage1
