// The request's body on its way to the upstream. By default (nginx's
// proxy_request_buffering on) it is read whole, into memory and then a
// temporary file, before any upstream is contacted: a client trickling its
// upload never holds an app server's worker. With it off, the body is
// passed on piece by piece as it arrives (a chunked one re-chunked, to an
// HTTP/1.1 upstream; to an HTTP/1.0 one it is read whole, for a Content-Length).
#pragma once

#include "proxy/body_buffer.hpp"
#include "proxy/exchange.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>

namespace webstack::stage4 {

struct RequestBody {
    // The file, when the body needs one, is named ($request_body_file).
    RequestBody(std::size_t memory_limit, std::string temp_folder, bool keep_file)
        : buffer(memory_limit, std::move(temp_folder), keep_file ? BodyBuffer::File::Kept : BodyBuffer::File::Named) {}
    bool present = false;                 // Content-Length or chunked
    bool buffered = false;                // read whole into `buffer` (else it streams)
    bool chunked = false;                 // streams to the upstream in chunks (no length known)
    std::optional<std::size_t> length;    // what goes upstream as Content-Length
    BodyBuffer buffer;
    // Streamed (not buffered): what was passed on, kept while it fits in
    // client_body_buffer_size, for $request_body as nginx gives it.
    std::string streamed;
    bool streamed_too_large = false;
};

// Everything about the body before any upstream is contacted: the size
// limit (413 before a byte of it is read), "100 Continue", and reading it
// whole when buffering. Returns the outcome to end with, if it ends here.
boost::asio::awaitable<std::optional<Outcome>> prepare_body(const Proxying& proxying, RequestBody& body);

// Sends the body to the upstream: from the buffer when it was read whole,
// else straight from the client as it arrives, after `head` (the request
// head, sent with the body bytes that came with it, in one write, as nginx
// does). When the client fails meanwhile, `client_failure` says how the
// request ends.
boost::asio::awaitable<IoResult> send_body(const Proxying& proxying, net::Socket& upstream, RequestBody& body,
                                           std::optional<Outcome>& client_failure, std::string_view head = {});

}  // namespace webstack::stage4
