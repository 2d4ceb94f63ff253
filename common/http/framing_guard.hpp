// The bytes of a request that decide where it ends, checked by us before
// llhttp sees them. Debian's llhttp 8.1, built without strict mode, is
// lenient exactly where leniency lets two servers frame one request
// differently (request smuggling):
//   - a CR followed by any byte ends a header line ("\r\n\rX" ends the head);
//   - it skips the two bytes after a chunk's data without looking at them
//     ("5\r\nhelloXY0\r\n\r\n" is a valid body to it);
// and strict where the RFC is lenient:
//   - no blanks around ";" and "=" in chunk extensions (RFC 9112 section
//     7.1.1 allows them), and it refuses "5;a=b;c", which is valid too.
// Strict mode is one compile-time switch for every stage at once, and would
// also refuse the bare LF line ends that nginx accepts. So the request
// parser runs these small checks on the framing bytes and gives llhttp only
// their canonical form (CRLF line ends, "5\r\n" for a size line).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace webstack::http {

// May a line end with LF alone? RFC 9112 section 2.2 lets a recipient
// accept it; nginx does, Gunicorn 23 refuses it (400). A CR that is not
// followed by LF is refused either way.
enum class LineEnds { CrlfOnly, CrlfOrLf };

// The first byte in `bytes` that is a line-ending problem in a request head:
// a CR followed by something other than LF, or an LF without a CR before it
// (`previous` is the byte before `bytes`, from an earlier read). A CR that is
// the last byte is not judged yet: its next byte has not arrived.
struct LineEndProblem {
    enum Kind { BareCr, BareLf };
    std::size_t position;
    Kind kind;
};
std::optional<LineEndProblem> find_line_end_problem(std::string_view bytes, char previous);

// A chunk-size line without its line end, e.g. "1a ; name=value ; flag":
// RFC 9112 section 7.1: chunk-size [ chunk-ext ], with
//   chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
// Blanks before the line end are also accepted (nginx and Gunicorn do).
// The extensions are checked and then ignored, as every server we imitate
// ignores them.
struct ChunkSizeLine {
    std::optional<std::uint64_t> size;  // empty when the line is invalid
    std::string problem;                // why, when it is
};
ChunkSizeLine parse_chunk_size_line(std::string_view line);

}  // namespace webstack::http
