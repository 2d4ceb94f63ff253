// Sans-IO HTTP/1.1 parsers: you feed them bytes, in pieces of any size, and
// they tell you when a whole message has arrived. They never touch a socket,
// which is why the same parser serves a blocking server, an async server,
// a proxy and the tests.
//
// Both wrap llhttp, the parser inside Node.js, without its lenient flags:
// anything that two servers could read two ways (request smuggling) is an
// error here. For requests, the bytes that decide where a message ends
// (line ends, chunk-size lines) are checked by framing_guard first.
//
// Feeding stops at the end of each message, so bytes of a pipelined next
// request stay with the caller:
//
//     std::size_t used = parser.feed(bytes);
//     if (parser.message_complete()) handle(parser.take_request());
//     bytes.remove_prefix(used);   // may hold the start of the next request
#pragma once

#include "http/framing_guard.hpp"
#include "http/message.hpp"
#include "http/parse_error.hpp"

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace webstack::http {

// What a peer may send before we give up on it. Each server sets these
// from its own flags (Gunicorn's --limit-request-line, nginx's
// client_max_body_size, ...).
struct ParserLimits {
    std::size_t max_request_line = 8190;        // method + target + version
    std::size_t max_header_count = 100;
    std::size_t max_header_field_size = 8190;   // one "Name: value" field
    std::size_t max_body_size = 1024 * 1024;
    // Not a size, but also the server's choice: may a request's lines end
    // with LF alone? (nginx: yes; Gunicorn 23: no.)
    LineEnds line_ends = LineEnds::CrlfOnly;
};

// The machinery both directions share. Not copyable or movable: llhttp
// keeps a pointer back to this object.
class MessageParser {
public:
    MessageParser(const MessageParser&) = delete;
    MessageParser& operator=(const MessageParser&) = delete;

    // Parses as much of `bytes` as belongs to the current message and
    // returns how many bytes were used. Stops early at the end of a message
    // or at an error; returns 0 while a finished message waits to be taken.
    std::size_t feed(std::string_view bytes);

    // Tells the parser the peer closed the connection. Completes a message
    // whose body runs until the connection closes (responses only); sets an
    // error when the peer closed in the middle of a message.
    void finish();

    bool headers_complete() const { return headers_complete_; }
    // May the connection carry another message after this one (HTTP/1.1
    // without "Connection: close", or HTTP/1.0 with "keep-alive")?
    bool keep_alive() const { return parts_.keep_alive; }
    bool message_complete() const { return message_complete_; }
    // True once any byte of a message has been seen and the message is not done.
    bool in_progress() const { return started_ && !message_complete_; }
    const std::optional<ParseError>& error() const { return error_; }

    // Instead of collecting the body in the message, hand each piece to `sink`.
    void stream_body_to(std::function<void(std::string_view)> sink) { body_sink_ = std::move(sink); }

protected:
    MessageParser(llhttp_type_t type, ParserLimits limits);
    ~MessageParser() = default;

    // The fields llhttp reports, for both requests and responses.
    struct Parts {
        std::string method, target, reason, version_text;
        int status = 0;
        Version version;
        HeaderList headers, trailers;
        std::string body;
        bool keep_alive = true;
    };
    Parts& parts() { return parts_; }
    const Parts& parts() const { return parts_; }
    // Forgets the finished message so that the next one can be parsed.
    void start_next_message();
    void set_skip_body(bool skip) { skip_body_ = skip; }

private:
    friend struct ParserCallbacks;

    // Where a request is, for the framing checks feed() makes before llhttp
    // sees the bytes (see framing_guard.hpp).
    enum class RequestPart { Head, Body, ChunkSizeLine, ChunkData, ChunkDataEnd, Trailers };

    // Gives llhttp `piece`; returns how much of it llhttp used.
    std::size_t execute(std::string_view piece, bool piece_ends_feed);
    // One step of a request: as much of `bytes` as the current part allows.
    std::size_t feed_request_part(std::string_view bytes);
    std::size_t feed_head_or_trailers(std::string_view bytes);
    std::size_t feed_chunk_size_line(std::string_view bytes);
    std::size_t feed_chunk_data(std::string_view bytes);
    std::size_t feed_chunk_data_end(std::string_view bytes);

    void fail(ParseErrorKind kind, std::string reason);
    void commit_header_field();
    void check_request_line_length();
    void check_headers_of_request();
    void record_llhttp_error(llhttp_errno_t code);
    // True when only blanks stand between `at` and the previous line break:
    // a header value that starts a line is a folded continuation.
    bool follows_line_break(const char* at) const;
    void remember_last_byte(std::string_view used);

    llhttp_t llhttp_{};
    ParserLimits limits_;
    Parts parts_;
    std::string field_name_, field_value_;
    bool started_ = false;
    bool headers_complete_ = false;
    bool message_complete_ = false;
    bool skip_body_ = false;
    std::size_t body_size_ = 0;
    std::optional<ParseError> error_;
    std::function<void(std::string_view)> body_sink_;
    const char* feed_begin_ = nullptr; // the bytes of the current feed()
    const char* feed_end_ = nullptr;
    char last_non_blank_byte_ = '\0';  // of the previous feed(), for follows_line_break
    int value_pieces_ = 0;              // pieces of the current header value so far
    bool value_piece_open_ = false;     // the last piece ended where its feed() ended
    RequestPart part_ = RequestPart::Head;
    char previous_head_byte_ = '\0';    // the last byte of the head or trailers fed so far
    std::string chunk_size_line_;        // a chunk-size line, until its LF arrives
    std::uint64_t chunk_left_ = 0;       // bytes of the current chunk's data still to come
    bool chunk_data_cr_ = false;         // the CR after a chunk's data has arrived
};

class RequestParser : public MessageParser {
public:
    explicit RequestParser(ParserLimits limits = {});

    // The request so far: its head is valid once headers_complete() (a
    // server needs that to answer "Expect: 100-continue" before the body).
    Request current() const;
    // Moves the head (method, target, version, headers) out, without
    // copying it, once headers_complete(); the parser goes on with the
    // body, which take_request() returns later.
    Request take_head();
    // The finished request; the parser is then ready for the next one.
    Request take_request();
    // Forgets the finished request whose head was taken with take_head()
    // and whose body went to stream_body_to(): ready for the next one.
    void next_request() { start_next_message(); }
};

class ResponseParser : public MessageParser {
public:
    explicit ResponseParser(ParserLimits limits = {});

    // The method of the request this response answers: a response to HEAD
    // has headers that describe a body it does not carry.
    void expect_response_to(std::string_view method);
    // The response so far: its head is valid once headers_complete() (a
    // proxy starts passing it on before the body has arrived).
    Response current() const;
    // Parts of it, without copying: the status code (0 before the status
    // line), the reason phrase and the header fields.
    int status() const { return parts().status; }
    const std::string& reason() const { return parts().reason; }
    const HeaderList& headers() const { return parts().headers; }
    Response take_response();
};

// Checks a request's Transfer-Encoding value: only "chunked" (once, last)
// is a coding we can decode. A list of valid but unknown codings ("gzip")
// is UnknownTransferCoding (501); anything unparsable is Malformed (400).
std::optional<ParseError> check_transfer_encoding(std::string_view value);

}  // namespace webstack::http
