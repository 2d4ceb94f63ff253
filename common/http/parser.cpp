#include "http/parser.hpp"

#include "http/message_rules.hpp"

#include <algorithm>
#include <array>
#include <exception>

namespace webstack::http {

namespace {
// "HTTP/2.0" is a well-formed version we do not speak; "HTXP/1.1" is garbage.
bool looks_like_http_version(std::string_view text) {
    return text.size() == 8 && text.starts_with("HTTP/") && text[5] >= '0' && text[5] <= '9' &&
           text[6] == '.' && text[7] >= '0' && text[7] <= '9';
}
}  // namespace

std::optional<ParseError> check_transfer_encoding(std::string_view value) {
    const auto codings = split_list(value);
    int chunked_count = 0;
    for (auto coding : codings) {
        if (!is_token(coding)) return ParseError{ParseErrorKind::BadTransferEncoding, "invalid Transfer-Encoding"};
        if (equals_ignoring_case(coding, "chunked")) ++chunked_count;
    }
    // RFC 9112 section 6.1: chunked must be applied exactly once, and last.
    if (chunked_count > 1) return ParseError{ParseErrorKind::BadTransferEncoding, "chunked applied more than once"};
    if (codings.size() == 1 && chunked_count == 1) return std::nullopt;
    return ParseError{ParseErrorKind::UnknownTransferCoding,
                      "unsupported Transfer-Encoding \"" + std::string(value) + "\""};
}

// llhttp is C: it calls plain functions with a llhttp_t*. These trampolines
// find our parser through llhttp_t::data, and catch every exception, which
// must never unwind through C code; an exception becomes a parse error.
struct ParserCallbacks {
    static MessageParser& self(llhttp_t* llhttp) { return *static_cast<MessageParser*>(llhttp->data); }

    template <typename Body>
    static int guarded(llhttp_t* llhttp, Body body) noexcept {
        auto& parser = self(llhttp);
        try {
            const int result = body(parser);
            if (parser.error_) return HPE_USER;
            return result;
        } catch (const std::exception& error) {
            parser.fail(ParseErrorKind::Malformed, std::string("internal parser error: ") + error.what());
        } catch (...) {
            parser.fail(ParseErrorKind::Malformed, "internal parser error");
        }
        return HPE_USER;
    }

    static int on_message_begin(llhttp_t* p) noexcept {
        return guarded(p, [](MessageParser& m) {
            m.started_ = true;
            return 0;
        });
    }
    static int on_method(llhttp_t* p, const char* at, size_t length) noexcept {
        return guarded(p, [&](MessageParser& m) {
            m.parts_.method.append(at, length);
            m.check_request_line_length();
            return 0;
        });
    }
    static int on_url(llhttp_t* p, const char* at, size_t length) noexcept {
        return guarded(p, [&](MessageParser& m) {
            m.parts_.target.append(at, length);
            m.check_request_line_length();
            return 0;
        });
    }
    static int on_version(llhttp_t* p, const char* at, size_t length) noexcept {
        return guarded(p, [&](MessageParser& m) {
            m.parts_.version_text.append(at, length);
            m.check_request_line_length();
            return 0;
        });
    }
    static int on_status(llhttp_t* p, const char* at, size_t length) noexcept {
        return guarded(p, [&](MessageParser& m) {
            m.parts_.reason.append(at, length);
            m.check_request_line_length();
            return 0;
        });
    }
    static int on_header_field(llhttp_t* p, const char* at, size_t length) noexcept {
        return guarded(p, [&](MessageParser& m) {
            m.field_name_.append(at, length);
            if (m.field_name_.size() > m.limits_.max_header_field_size)
                m.fail(ParseErrorKind::HeaderFieldsTooLarge, "header field name too long");
            return 0;
        });
    }
    static int on_header_value(llhttp_t* p, const char* at, size_t length) noexcept {
        return guarded(p, [&](MessageParser& m) {
            // A value arrives in one piece, or in more when a feed() ended
            // inside it. Any other second piece is an obs-fold continuation
            // (a value continued on the next line), and so is a first piece
            // that starts a line. llhttp still accepts obs-fold; RFC 9112
            // section 5.2 lets a server reject it, and we do.
            const bool folded = m.value_pieces_ > 0 ? !m.value_piece_open_ : m.follows_line_break(at);
            if (length > 0 && folded)
                m.fail(ParseErrorKind::Malformed, "obsolete line folding in header \"" + m.field_name_ + "\"");
            ++m.value_pieces_;
            m.value_piece_open_ = (at + length == m.feed_end_);
            m.field_value_.append(at, length);
            // The field as a line, "Name: value\r\n", as Gunicorn and http.server count it.
            if (m.field_name_.size() + m.field_value_.size() + 4 > m.limits_.max_header_field_size)
                m.fail(ParseErrorKind::HeaderFieldsTooLarge, "header field \"" + m.field_name_ + "\" too large");
            return 0;
        });
    }
    static int on_header_value_complete(llhttp_t* p) noexcept {
        return guarded(p, [](MessageParser& m) {
            m.commit_header_field();
            return 0;
        });
    }
    static int on_headers_complete(llhttp_t* p) noexcept {
        return guarded(p, [p](MessageParser& m) {
            m.parts_.version = {p->http_major, p->http_minor};
            m.parts_.status = p->status_code;
            m.parts_.keep_alive = llhttp_should_keep_alive(p) != 0;
            if (p->type == HTTP_REQUEST) m.check_headers_of_request();
            if ((p->flags & F_CONTENT_LENGTH) && p->content_length > m.limits_.max_body_size)
                m.fail(ParseErrorKind::BodyTooLarge, "Content-Length larger than the body limit");
            m.headers_complete_ = true;
            // RFC 9110 section 6.4.1: responses to HEAD, and 1xx, 204 and
            // 304 responses, have no body, whatever their headers say;
            // llhttp 8.1 would read a 304's Content-Length bytes as its body.
            const int status = p->status_code;
            const bool no_body_status = p->type == HTTP_RESPONSE && (status < 200 || status == 204 || status == 304);
            // Careful: 1 here means "this message has no body", not "error".
            if (m.skip_body_ || no_body_status) return 1;
            if (p->type != HTTP_REQUEST) return 0;
            // A chunked request body goes through our own checks (request_feed.cpp):
            // pausing makes llhttp stop before its first chunk-size line.
            if (p->flags & F_CHUNKED) {
                m.part_ = MessageParser::RequestPart::ChunkSizeLine;
                return static_cast<int>(HPE_PAUSED);
            }
            m.part_ = MessageParser::RequestPart::Body;
            return 0;
        });
    }
    static int on_body(llhttp_t* p, const char* at, size_t length) noexcept {
        return guarded(p, [&](MessageParser& m) {
            m.body_size_ += length;
            if (m.body_size_ > m.limits_.max_body_size) {
                m.fail(ParseErrorKind::BodyTooLarge, "body larger than the body limit");
            } else if (m.body_sink_) {
                m.body_sink_({at, length});
            } else {
                m.parts_.body.append(at, length);
            }
            return 0;
        });
    }
    static int on_message_complete(llhttp_t* p) noexcept {
        return guarded(p, [p](MessageParser& m) {
            m.message_complete_ = true;
            // After an Upgrade or CONNECT request the bytes that follow are
            // another protocol, which we do not speak: this is the last request.
            if (llhttp_get_upgrade(p)) m.parts_.keep_alive = false;
            // Pausing makes llhttp_execute return here, so the bytes of a
            // pipelined next message stay unparsed until this one is taken.
            return static_cast<int>(HPE_PAUSED);
        });
    }

    static const llhttp_settings_t& settings() {
        static const llhttp_settings_t table = [] {
            llhttp_settings_t s;
            llhttp_settings_init(&s);
            s.on_message_begin = on_message_begin;
            s.on_method = on_method;
            s.on_url = on_url;
            s.on_version = on_version;
            s.on_status = on_status;
            s.on_header_field = on_header_field;
            s.on_header_value = on_header_value;
            s.on_header_value_complete = on_header_value_complete;
            s.on_headers_complete = on_headers_complete;
            s.on_body = on_body;
            s.on_message_complete = on_message_complete;
            return s;
        }();
        return table;
    }
};

MessageParser::MessageParser(llhttp_type_t type, ParserLimits limits) : limits_(limits) {
    llhttp_init(&llhttp_, type, &ParserCallbacks::settings());
    llhttp_.data = this;
}

std::size_t MessageParser::feed(std::string_view bytes) {
    if (error_ || message_complete_ || bytes.empty()) return 0;
    if (llhttp_.type != HTTP_REQUEST) {
        if (limits_.line_ends == LineEnds::CrlfOnly || headers_complete_) return execute(bytes, true);
        // A response head with bare LF line ends (nginx reads an upstream's):
        // checked and fed as a request head is, then the body as it comes.
        std::size_t used = 0;
        while (used < bytes.size() && !error_ && !message_complete_ && !headers_complete_) {
            const std::size_t step = feed_head_or_trailers(bytes.substr(used));
            if (step == 0) break;
            used += step;
        }
        if (used < bytes.size() && headers_complete_ && !error_ && !message_complete_)
            used += execute(bytes.substr(used), true);
        return used;
    }
    // A request goes to llhttp in parts (request_feed.cpp), each checked first.
    std::size_t used = 0;
    while (used < bytes.size() && !error_ && !message_complete_) {
        const std::size_t step = feed_request_part(bytes.substr(used));
        if (step == 0) break;
        used += step;
    }
    return used;
}

std::size_t MessageParser::execute(std::string_view piece, bool piece_ends_feed) {
    feed_begin_ = piece.data();
    // A header value that ends where the caller's bytes end may go on in
    // the next feed(); one that ends anywhere else is finished.
    feed_end_ = piece_ends_feed ? piece.data() + piece.size() : nullptr;
    const llhttp_errno_t code = llhttp_execute(&llhttp_, piece.data(), piece.size());
    if (code == HPE_OK) {
        remember_last_byte(piece);
        return piece.size();
    }

    const auto used = static_cast<std::size_t>(llhttp_get_error_pos(&llhttp_) - piece.data());
    remember_last_byte(piece.substr(0, used));
    if (code == HPE_PAUSED) {
        llhttp_resume(&llhttp_);
        return used;
    }
    if (code == HPE_PAUSED_UPGRADE) {
        fail(ParseErrorKind::Malformed, "bytes of another protocol after an Upgrade request");
        return used;
    }
    // llhttp reports no version span when it rejects the version, so read
    // the eight bytes before the error: "HTTP/3.1" (505) is not "HTXP/1.1" (400).
    if (code == HPE_INVALID_VERSION && used >= 8)
        parts_.version_text = std::string(piece.substr(used - 8, 8));
    record_llhttp_error(code);
    return used;
}

void MessageParser::finish() {
    // A close between messages is the normal end of a connection.
    if (error_ || message_complete_ || !started_) return;
    llhttp_finish(&llhttp_);
    if (!message_complete_) fail(ParseErrorKind::Malformed, "connection closed in the middle of a message");
}

void MessageParser::start_next_message() {
    parts_ = Parts{};
    field_name_.clear();
    field_value_.clear();
    value_pieces_ = 0;
    started_ = headers_complete_ = message_complete_ = false;
    body_size_ = 0;
    part_ = RequestPart::Head;
    previous_head_byte_ = '\0';
    chunk_size_line_.clear();
    chunk_left_ = 0;
    chunk_data_cr_ = false;
}

bool MessageParser::follows_line_break(const char* at) const {
    const char* p = at;
    while (p > feed_begin_ && (p[-1] == ' ' || p[-1] == '\t')) --p;
    return (p > feed_begin_ ? p[-1] : last_non_blank_byte_) == '\n';
}

void MessageParser::remember_last_byte(std::string_view used) {
    const auto last = used.find_last_not_of(" \t");
    if (last != std::string_view::npos) last_non_blank_byte_ = used[last];
}

void MessageParser::fail(ParseErrorKind kind, std::string reason) {
    if (!error_) error_ = ParseError{kind, std::move(reason)};
}

void MessageParser::commit_header_field() {
    // llhttp lets "Host : a" through as the field "Host "; RFC 9112 section
    // 5.1 requires a 400, because servers that trim would see a different field.
    if (!is_token(field_name_)) return fail(ParseErrorKind::Malformed, "whitespace in header field name \"" + field_name_ + "\"");
    // Fields after the body are the trailers of a chunked message.
    // RFC 9110 section 5.5: blanks around a value are not part of it;
    // llhttp drops those before the value but not those after it.
    while (!field_value_.empty() && (field_value_.back() == ' ' || field_value_.back() == '\t')) field_value_.pop_back();
    auto& list = headers_complete_ ? parts_.trailers : parts_.headers;
    list.add(std::move(field_name_), std::move(field_value_));
    field_name_.clear();
    field_value_.clear();
    value_pieces_ = 0;
    if (parts_.headers.size() + parts_.trailers.size() > limits_.max_header_count)
        fail(ParseErrorKind::HeaderFieldsTooLarge, "too many header fields");
}

void MessageParser::check_request_line_length() {
    // The line as sent, without its CRLF: "GET /x HTTP/1.1" (llhttp's
    // version span is "1.1", without "HTTP/"), as Gunicorn counts it.
    const auto& p = parts_;
    const auto length = p.method.size() + p.target.size() + p.version_text.size() + p.reason.size() + 2 +
                        (p.version_text.empty() ? 0 : 5);
    if (length > limits_.max_request_line) fail(ParseErrorKind::RequestLineTooLong, "request line too long");
}

void MessageParser::check_headers_of_request() {
    const auto& p = parts_;
    if (p.version.major != 1) {
        fail(ParseErrorKind::UnsupportedVersion, "HTTP/" + std::to_string(p.version.major) + "." +
                                                     std::to_string(p.version.minor) + " is not supported");
        return;
    }
    // RFC 9112 section 3.2: exactly one Host in HTTP/1.1; at most one in 1.0.
    const auto hosts = p.headers.count("Host");
    if (hosts > 1) fail(ParseErrorKind::Malformed, "more than one Host header");
    if (hosts == 0 && p.version.minor >= 1) fail(ParseErrorKind::Malformed, "missing Host header (required in HTTP/1.1)");
    if (auto coding = p.headers.get_combined("Transfer-Encoding")) {
        if (auto problem = check_transfer_encoding(*coding)) fail(problem->kind, problem->reason);
        // RFC 9112 section 6.1: in HTTP/1.0, Transfer-Encoding means faulty framing.
        if (p.version.minor == 0) fail(ParseErrorKind::Malformed, "Transfer-Encoding in an HTTP/1.0 request");
    }
}

void MessageParser::record_llhttp_error(llhttp_errno_t code) {
    if (error_) return;  // our own check failed first, and says more
    const char* reason = llhttp_get_error_reason(&llhttp_);
    std::string text = reason ? reason : llhttp_errno_name(code);
    if (code == HPE_INVALID_VERSION && looks_like_http_version(parts_.version_text)) {
        fail(ParseErrorKind::UnsupportedVersion, parts_.version_text + " is not supported");
    } else if (code == HPE_INVALID_TRANSFER_ENCODING) {
        auto problem = check_transfer_encoding(parts_.headers.get_combined("Transfer-Encoding").value_or(""));
        fail(problem ? problem->kind : ParseErrorKind::Malformed, problem ? problem->reason : text);
    } else {
        fail(ParseErrorKind::Malformed, std::move(text));
    }
}

RequestParser::RequestParser(ParserLimits limits) : MessageParser(HTTP_REQUEST, limits) {}

Request RequestParser::take_head() {
    auto& p = parts();
    return Request{std::move(p.method), std::move(p.target), p.version, std::move(p.headers), {}, {}, p.keep_alive};
}

Request RequestParser::current() const {
    const auto& p = parts();
    return Request{p.method, p.target, p.version, p.headers, p.body, p.trailers, p.keep_alive};
}

Request RequestParser::take_request() {
    auto& p = parts();
    Request request{std::move(p.method), std::move(p.target), p.version, std::move(p.headers),
                    std::move(p.body), std::move(p.trailers), p.keep_alive};
    start_next_message();
    return request;
}

ResponseParser::ResponseParser(ParserLimits limits) : MessageParser(HTTP_RESPONSE, limits) {}

void ResponseParser::expect_response_to(std::string_view method) { set_skip_body(method == "HEAD"); }

Response ResponseParser::current() const {
    const auto& p = parts();
    return Response{p.status, p.reason, p.version, p.headers, p.body, p.trailers, p.keep_alive};
}

Response ResponseParser::take_response() {
    auto& p = parts();
    Response response{p.status, std::move(p.reason), p.version, std::move(p.headers),
                      std::move(p.body), std::move(p.trailers), p.keep_alive};
    start_next_message();
    return response;
}

}  // namespace webstack::http
