// The raw-request corpus (tests/corpus/GROUP/NAME.http): hand-written
// requests, valid and hostile, each with what every stage must answer and
// where that expectation comes from. A file reads:
//
//   # what: a CR not followed by LF ends the head in a lenient parser
//   # stage1: 400
//   # stage3: 400
//   # stage4: 400 forwarded=0
//   # stage5: 400
//   # source: RFC 9112 section 2.2; nginx 1.22 answers 400 (measured)
//   GET / HTTP/1.1\r\n
//   Host: a\r\n\rX
//
// Where a stage knowingly answers otherwise than the reference, the file
// says so beside the expectation, which stays as the reference has it:
//
//   # stage3-ours: 400 -- stage 3 reads the whole body before calling the app
//
// The replay then checks that the stage does exactly that (a change either
// way shows), and counts these differences (docs/reliability.md lists them).
//
// The request's bytes follow the "# " lines. The file's own line breaks are
// not part of them; bytes are written with escapes: \r \n \t \0 \xHH \\,
// and \{N:c} for the character c N times (for the limits).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace webstack::testing {

struct CorpusExpectation {
    std::optional<int> status;          // empty: no answer ("close")
    std::optional<int> forwarded;       // stage 4: requests the upstream must get
    std::string why;                    // for a known difference: the reason
};

struct CorpusCase {
    std::string name;                   // "smuggling/cl-and-te"
    std::string what;
    std::map<std::string, CorpusExpectation> expected;  // by stage: "stage1", ...
    std::map<std::string, CorpusExpectation> ours;      // known differences, by stage
    std::vector<std::string> sources;
    std::string bytes;
};

// Reads one file; throws std::runtime_error naming the file and the line.
CorpusCase read_corpus_case(const std::filesystem::path& file, const std::filesystem::path& root);
// Every *.http under `root`, sorted by name.
std::vector<CorpusCase> read_corpus(const std::filesystem::path& root);
// The escapes above, decoded.
std::string decode_corpus_bytes(const std::string& text);

}  // namespace webstack::testing
