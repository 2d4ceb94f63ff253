#include "response_writer.hpp"

#include "http/message_rules.hpp"
#include "http/serializer.hpp"
#include "net/blocking_io.hpp"
#include "net/stop_signals.hpp"

#include <charconv>

namespace webstack::stage1 {

ResponseWriter::ResponseWriter(Sink sink, const http::Request& request, std::string_view server_name,
                               bool allow_keep_alive, FileSink file_sink)
    : sink_(std::move(sink)), file_sink_(std::move(file_sink)), request_(request), server_name_(server_name),
      allow_keep_alive_(allow_keep_alive) {}

ResponseWriter::Sink ResponseWriter::socket_sink(net::Socket& socket, std::chrono::milliseconds write_timeout) {
    return [&socket, write_timeout](std::string_view bytes) {
        return net::write_all(socket, bytes, net::Clock::now() + write_timeout);
    };
}

ResponseWriter::FileSink ResponseWriter::socket_file_sink(net::Socket& socket, std::chrono::milliseconds write_timeout) {
    return [&socket, write_timeout](int fd, std::int64_t offset, std::size_t count) {
        return net::send_file_all(socket, fd, offset, count, net::Clock::now() + write_timeout);
    };
}

void ResponseWriter::start(http::Response head) {
    started_ = true;
    status_ = head.status;
    keep_alive_ = allow_keep_alive_ && head.keep_alive && request_.keep_alive && !net::stop_requested();
    const auto length = head.headers.get("Content-Length");
    switch (http::response_framing(request_, head.status, length.has_value())) {
        case http::Framing::NoBody: send_body_ = false; break;
        case http::Framing::ContentLength: {
            std::size_t value = 0;
            std::from_chars(length->data(), length->data() + length->size(), value);
            content_length_ = value;
            break;
        }
        case http::Framing::Chunked:
            chunked_ = true;
            head.headers.set("Transfer-Encoding", "chunked");
            break;
        case http::Framing::UntilClose: keep_alive_ = false; break;  // HTTP/1.0 without a length: the close ends the body
    }
    // HTTP/1.0 closes after each response unless both sides say keep-alive.
    if (keep_alive_ && request_.version == http::Version{1, 0}) head.headers.set("Connection", "keep-alive");
    head.keep_alive = keep_alive_;
    headers_ = head.headers;
    unsent_ = http::serialize_response_head(head, {.server = server_name_});
}

void ResponseWriter::write(std::string_view bytes) {
    if (!send_body_ || bytes.empty()) return;
    append_body(bytes);
    flush();
}

void ResponseWriter::send_file(int fd, std::int64_t offset, std::size_t count) {
    if (!send_body_ || failed_) return;
    if (content_length_) count = std::min(count, *content_length_ - std::min(*content_length_, body_bytes_));
    if (count == 0) return;
    // The head and the chunk's size line leave in one write, the file's
    // bytes after them, and the chunk's CRLF with the end of the body.
    if (chunked_) {
        char size[20];
        const auto end = std::to_chars(size, size + sizeof size, count, 16).ptr;
        unsent_.append(size, end).append("\r\n");  // as append_chunk() writes it
    }
    flush();
    if (failed_ || !file_sink_(fd, offset, count)) {
        failed_ = true;
        return;
    }
    body_bytes_ += count;
    if (chunked_) unsent_ += "\r\n";
}

void ResponseWriter::finish() {
    end_body();
    flush();
    if (body_too_short()) failed_ = true;
}

void ResponseWriter::send(http::Response response) {
    std::string body = std::move(response.body);
    if (!response.headers.contains("Content-Length") && http::status_has_body(response.status))
        response.headers.set("Content-Length", std::to_string(body.size()));
    start(std::move(response));
    if (send_body_) append_body(body);  // not write(): head, body and end leave in one write
    finish();
}

void ResponseWriter::append_body(std::string_view bytes) {
    if (content_length_) {
        const auto room = *content_length_ - std::min(*content_length_, body_bytes_);
        bytes = bytes.substr(0, room);  // never more than the head promised
    }
    if (bytes.empty()) return;
    body_bytes_ += bytes.size();
    if (chunked_) http::append_chunk(unsent_, bytes);
    else unsent_.append(bytes);
}

void ResponseWriter::end_body() {
    if (finished_) return;
    finished_ = true;
    if (chunked_) unsent_ += http::serialize_last_chunk();
}

bool ResponseWriter::body_too_short() const {
    return send_body_ && content_length_ && body_bytes_ < *content_length_;
}

void ResponseWriter::flush() {
    if (unsent_.empty() || failed_) return;
    if (!sink_(unsent_)) failed_ = true;
    unsent_.clear();
}

}  // namespace webstack::stage1
