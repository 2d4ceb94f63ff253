#include "corpus.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace webstack::testing {

namespace fs = std::filesystem;

namespace {
int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error(std::string("bad hex digit '") + c + "'");
}

CorpusExpectation read_expectation(const std::string& text) {
    CorpusExpectation expectation;
    const auto dashes = text.find(" -- ");
    if (dashes != std::string::npos) expectation.why = text.substr(dashes + 4);
    std::istringstream words(text.substr(0, dashes));
    std::string word;
    while (words >> word) {
        if (word == "close") continue;
        if (word.starts_with("forwarded=")) expectation.forwarded = std::stoi(word.substr(10));
        else expectation.status = std::stoi(word);
    }
    return expectation;
}
}  // namespace

std::string decode_corpus_bytes(const std::string& text) {
    std::string bytes;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') continue;  // the file's own line breaks
        if (text[i] != '\\') {
            bytes += text[i];
            continue;
        }
        if (++i >= text.size()) throw std::runtime_error("a lone \\ at the end");
        switch (text[i]) {
            case 'r': bytes += '\r'; break;
            case 'n': bytes += '\n'; break;
            case 't': bytes += '\t'; break;
            case '0': bytes += '\0'; break;
            case '\\': bytes += '\\'; break;
            case 'x':
                if (i + 2 >= text.size()) throw std::runtime_error("\\x needs two hex digits");
                bytes += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
                i += 2;
                break;
            case '{': {  // \{N:c}
                const auto colon = text.find(':', i);
                const auto close = colon == std::string::npos ? colon : text.find('}', colon + 2);
                if (close == std::string::npos || close != colon + 2) throw std::runtime_error("\\{N:c} is malformed");
                bytes.append(std::stoul(text.substr(i + 1, colon - i - 1)), text[colon + 1]);
                i = close;
                break;
            }
            default: throw std::runtime_error(std::string("unknown escape \\") + text[i]);
        }
    }
    return bytes;
}

CorpusCase read_corpus_case(const fs::path& file, const fs::path& root) {
    CorpusCase result;
    result.name = fs::relative(file, root).replace_extension().string();
    std::ifstream in(file, std::ios::binary);
    std::string line, body;
    bool in_header = true;
    int number = 0;
    try {
        while (std::getline(in, line)) {
            ++number;
            if (in_header && line.starts_with("# ")) {
                const auto colon = line.find(": ");
                if (colon == std::string::npos) throw std::runtime_error("expected \"# key: value\"");
                const auto key = line.substr(2, colon - 2);
                const auto value = line.substr(colon + 2);
                if (key == "what") result.what = value;
                else if (key.starts_with("stage") && key.ends_with("-ours"))
                    result.ours[key.substr(0, key.size() - 5)] = read_expectation(value);
                else if (key.starts_with("stage")) result.expected[key] = read_expectation(value);
                else if (key.starts_with("source")) result.sources.push_back(value);
                else throw std::runtime_error("unknown key \"" + key + "\"");
                continue;
            }
            in_header = false;
            body += line + "\n";
        }
        result.bytes = decode_corpus_bytes(body);
    } catch (const std::exception& error) {
        throw std::runtime_error(file.string() + ":" + std::to_string(number) + ": " + error.what());
    }
    if (result.sources.empty()) throw std::runtime_error(file.string() + ": no \"# source:\" line");
    return result;
}

std::vector<CorpusCase> read_corpus(const fs::path& root) {
    std::vector<CorpusCase> cases;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file() && entry.path().extension() == ".http") cases.push_back(read_corpus_case(entry.path(), root));
    }
    std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return cases;
}

}  // namespace webstack::testing
