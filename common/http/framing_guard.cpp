#include "http/framing_guard.hpp"

#include "http/message_rules.hpp"

#include <cctype>

namespace webstack::http {

std::optional<LineEndProblem> find_line_end_problem(std::string_view bytes, char previous) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] != '\n')
            return LineEndProblem{i, LineEndProblem::BareCr};
        const char before = i > 0 ? bytes[i - 1] : previous;
        if (bytes[i] == '\n' && before != '\r') return LineEndProblem{i, LineEndProblem::BareLf};
    }
    return std::nullopt;
}

namespace {

// Reads a chunk-size line from left to right; each read_ function moves
// `at` past what it read.
class ChunkLineReader {
public:
    explicit ChunkLineReader(std::string_view line) : line_(line) {}

    ChunkSizeLine read() {
        const auto size = read_size();
        if (size && read_extensions()) return {size, {}};
        return {std::nullopt, problem_};
    }

private:
    bool read_extensions() {
        for (skip_blanks(); at_ < line_.size(); skip_blanks()) {
            if (line_[at_] != ';') return failed("unexpected character in chunk extensions");
            ++at_;
            skip_blanks();
            if (read_token().empty()) return failed("chunk extension without a name");
            skip_blanks();
            if (at_ < line_.size() && line_[at_] == '=') {
                ++at_;
                skip_blanks();
                if (!read_value()) return false;
            }
        }
        return true;
    }

    std::optional<std::uint64_t> read_size() {
        std::uint64_t size = 0;
        const std::size_t start = at_;
        for (; at_ < line_.size() && std::isxdigit(static_cast<unsigned char>(line_[at_])); ++at_) {
            if (size > (UINT64_MAX >> 4)) {
                failed("chunk size too large");
                return std::nullopt;
            }
            const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(line_[at_])));
            size = size * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
        }
        if (at_ == start) {
            failed("invalid chunk size");
            return std::nullopt;
        }
        // nginx counts sizes in off_t and refuses one that overflows it with
        // the line ends around it; no body comes near.
        if (size > static_cast<std::uint64_t>(INT64_MAX) - 16) {
            failed("chunk size too large");
            return std::nullopt;
        }
        return size;
    }

    std::string_view read_token() {
        const std::size_t start = at_;
        while (at_ < line_.size() && token_characters[static_cast<unsigned char>(line_[at_])]) ++at_;
        return line_.substr(start, at_ - start);
    }

    // token / quoted-string (RFC 9110 section 5.6.4: "\" escapes one byte).
    bool read_value() {
        if (at_ >= line_.size() || line_[at_] != '"') {
            return !read_token().empty() || failed("chunk extension without a value after \"=\"");
        }
        for (++at_; at_ < line_.size(); ++at_) {
            const auto c = static_cast<unsigned char>(line_[at_]);
            if (c == '"') {
                ++at_;
                return true;
            }
            if (c == '\\') ++at_;
            else if ((c < 0x20 && c != '\t') || c == 0x7f) break;
        }
        return failed("unterminated quoted string in chunk extensions");
    }

    void skip_blanks() {
        while (at_ < line_.size() && (line_[at_] == ' ' || line_[at_] == '\t')) ++at_;
    }

    // Records why the line is invalid; false, for `return failed(...)`.
    bool failed(std::string problem) {
        problem_ = std::move(problem);
        return false;
    }

    std::string_view line_;
    std::size_t at_ = 0;
    std::string problem_;
};

}  // namespace

ChunkSizeLine parse_chunk_size_line(std::string_view line) { return ChunkLineReader(line).read(); }

}  // namespace webstack::http
