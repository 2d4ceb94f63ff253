// How a request's bytes reach llhttp: part by part, each part's framing
// bytes checked first (framing_guard.hpp says why). A request is
//
//   Head            request line and header fields, up to the empty line
//   Body            a Content-Length body: passed on as it is
//   or, when chunked, again and again:
//     ChunkSizeLine   "1a;ext=1\r\n": read whole, checked, given to llhttp as "1a\r\n"
//     ChunkData       as many bytes as the size said, passed on as they are
//     ChunkDataEnd    the CRLF after them: checked, given to llhttp as "\r\n"
//   until a size of 0, then
//     Trailers        header fields again, up to an empty line
//
// Each feed_ function takes the bytes not used yet and returns how many of
// them it used; feed() calls them until the bytes or the message end.
#include "http/parser.hpp"

#include <fmt/format.h>

namespace webstack::http {

namespace {
constexpr std::string_view crlf = "\r\n";
// A chunk-size line longer than this is an attack, not extensions.
constexpr std::size_t max_chunk_size_line = 4096;
}  // namespace

std::size_t MessageParser::feed_request_part(std::string_view bytes) {
    switch (part_) {
        case RequestPart::Head:
        case RequestPart::Trailers: return feed_head_or_trailers(bytes);
        case RequestPart::Body: return execute(bytes, true);
        case RequestPart::ChunkSizeLine: return feed_chunk_size_line(bytes);
        case RequestPart::ChunkData: return feed_chunk_data(bytes);
        case RequestPart::ChunkDataEnd: return feed_chunk_data_end(bytes);
    }
    return 0;
}

// Passes bytes on up to the first line-ending problem; llhttp may stop
// sooner (the head ended, or the message did), and then the next call
// starts in the next part.
std::size_t MessageParser::feed_head_or_trailers(std::string_view bytes) {
    if (previous_head_byte_ == '\r' && bytes.front() != '\n') {
        fail(ParseErrorKind::Malformed, "a CR not followed by LF in the request head");
        return 0;
    }
    const auto problem = find_line_end_problem(bytes, previous_head_byte_);
    const std::size_t clean = problem ? problem->position : bytes.size();
    if (clean > 0) {
        const std::size_t used = execute(bytes.substr(0, clean), clean == bytes.size());
        if (used > 0) previous_head_byte_ = bytes[used - 1];
        return used;
    }
    if (problem->kind == LineEndProblem::BareCr) {
        fail(ParseErrorKind::Malformed, "a CR not followed by LF in the request head");
        return 0;
    }
    if (limits_.line_ends == LineEnds::CrlfOnly) {
        fail(ParseErrorKind::Malformed, "a line ending in LF without CR in the request head");
        return 0;
    }
    // RFC 9112 section 2.2: a bare LF may be read as a line end; llhttp reads CRLF.
    previous_head_byte_ = '\n';
    return execute(crlf, false) == crlf.size() ? 1 : 0;
}

std::size_t MessageParser::feed_chunk_size_line(std::string_view bytes) {
    const auto line_end = bytes.find('\n');
    const std::size_t taken = line_end == std::string_view::npos ? bytes.size() : line_end + 1;
    chunk_size_line_.append(bytes.substr(0, taken));
    if (chunk_size_line_.size() > max_chunk_size_line) {
        fail(ParseErrorKind::Malformed, "chunk-size line too long");
        return 0;
    }
    if (line_end == std::string_view::npos) return taken;  // the rest comes in a later feed()

    std::string_view line(chunk_size_line_);
    line.remove_suffix(1);  // the LF
    if (line.ends_with('\r')) {
        line.remove_suffix(1);
    } else if (limits_.line_ends == LineEnds::CrlfOnly) {
        fail(ParseErrorKind::Malformed, "a chunk-size line ending in LF without CR");
        return 0;
    }
    const auto parsed = parse_chunk_size_line(line);
    if (!parsed.size) {
        fail(ParseErrorKind::Malformed, parsed.problem);
        return 0;
    }
    if (*parsed.size > limits_.max_body_size - std::min(body_size_, limits_.max_body_size)) {
        fail(ParseErrorKind::BodyTooLarge, "chunk larger than the body limit");
        return 0;
    }
    chunk_size_line_.clear();
    execute(fmt::format("{:x}\r\n", *parsed.size), false);
    chunk_left_ = *parsed.size;
    part_ = chunk_left_ > 0 ? RequestPart::ChunkData : RequestPart::Trailers;
    previous_head_byte_ = '\n';
    return taken;
}

std::size_t MessageParser::feed_chunk_data(std::string_view bytes) {
    const auto piece = bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, bytes.size())));
    const std::size_t used = execute(piece, piece.size() == bytes.size());
    chunk_left_ -= used;
    if (chunk_left_ == 0) part_ = RequestPart::ChunkDataEnd;
    return used;
}

// llhttp 8.1 skips the two bytes after a chunk's data unread; they must be CRLF.
std::size_t MessageParser::feed_chunk_data_end(std::string_view bytes) {
    const char byte = bytes.front();
    if (!chunk_data_cr_ && byte == '\r') {
        chunk_data_cr_ = true;
        return 1;
    }
    const bool line_end = byte == '\n' && (chunk_data_cr_ || limits_.line_ends == LineEnds::CrlfOrLf);
    if (!line_end) {
        fail(ParseErrorKind::Malformed, "chunk data longer than its chunk size, or not followed by CRLF");
        return 0;
    }
    chunk_data_cr_ = false;
    part_ = RequestPart::ChunkSizeLine;
    execute(crlf, false);
    return 1;
}

}  // namespace webstack::http
