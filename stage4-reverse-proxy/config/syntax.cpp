#include "config/syntax.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <glob.h>
#include <sstream>

namespace webstack::stage4 {

namespace {

struct Token {
    enum Kind { Word, Semicolon, OpenBrace, CloseBrace, End } kind;
    std::string text;
    int line;
};

// Splits the text into words and the three characters that mean something: ; { }
class Tokenizer {
public:
    Tokenizer(std::string text, std::string file) : text_(std::move(text)), file_(std::move(file)) {}

    Token next() {
        skip_blanks_and_comments();
        if (at_ >= text_.size()) return {Token::End, "", line_};
        const char c = text_[at_];
        if (c == ';' || c == '{' || c == '}') {
            ++at_;
            return {c == ';' ? Token::Semicolon : c == '{' ? Token::OpenBrace : Token::CloseBrace, std::string(1, c), line_};
        }
        if (c == '"' || c == '\'') return quoted(c);
        return bare_word();
    }

    SourceLocation where(int line) const { return {file_, line}; }

private:
    void skip_blanks_and_comments() {
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == '\n') ++line_;
            if (c == '#') {
                while (at_ < text_.size() && text_[at_] != '\n') ++at_;
                continue;
            }
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return;
            ++at_;
        }
    }

    // "..." or '...': spaces and ; { } are ordinary characters inside.
    Token quoted(char quote) {
        const int line = line_;
        std::string word;
        for (++at_; at_ < text_.size(); ++at_) {
            const char c = text_[at_];
            if (c == quote) {
                ++at_;
                return {Token::Word, word, line};
            }
            if (c == '\n') ++line_;
            if (c == '\\' && at_ + 1 < text_.size()) {
                append_escaped(word, text_[++at_]);
                continue;
            }
            word += c;
        }
        throw ConfigError("unexpected end of file, expecting \";\" or \"}\"", where(line_));
    }

    Token bare_word() {
        const int line = line_;
        std::string word;
        while (at_ < text_.size()) {
            char c = text_[at_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '}') break;
            if (c == '{') {
                // "${name}" is a variable inside a word; any other { opens a block.
                if (word.empty() || word.back() != '$') break;
                const auto close = text_.find('}', at_);
                if (close == std::string::npos) throw ConfigError("unexpected end of file", where(line_));
                word.append(text_, at_, close - at_ + 1);
                at_ = close + 1;
                continue;
            }
            if (c == '\\' && at_ + 1 < text_.size()) {
                append_escaped(word, text_[++at_]);
                ++at_;
                continue;
            }
            word += c;
            ++at_;
        }
        return {Token::Word, word, line};
    }

    // nginx's escapes: \" \' \\ give the character, \t \r \n the control
    // character; any other backslash stays, for regular expressions (\.php$).
    static void append_escaped(std::string& word, char c) {
        switch (c) {
            case 'n': word += '\n'; return;
            case 't': word += '\t'; return;
            case 'r': word += '\r'; return;
            case '"': case '\'': case '\\': word += c; return;
            default: word += '\\'; word += c; return;
        }
    }

    std::string text_;
    std::string file_;
    std::size_t at_ = 0;
    int line_ = 1;
};

constexpr int max_include_depth = 16;

// What reading one configuration shares across its included files.
struct Reading {
    std::filesystem::path include_folder;  // relative includes resolve against it
    std::vector<std::filesystem::path>* files_read;  // every file read, in order (for -T); may be null
};

std::vector<Directive> read_file(const std::filesystem::path& file, const Reading& reading, int depth,
                                 const std::optional<SourceLocation>& included_from);

std::vector<std::filesystem::path> files_named_by(const std::string& pattern, const std::filesystem::path& prefix,
                                                  const SourceLocation& where) {
    const auto path = std::filesystem::path(pattern).is_absolute() ? std::filesystem::path(pattern) : prefix / pattern;
    if (pattern.find_first_of("*?[") == std::string::npos) return {path};
    // A pattern may match nothing: `include sites-enabled/*;` with no site is fine.
    glob_t matches{};
    const int status = ::glob(path.c_str(), 0, nullptr, &matches);
    std::vector<std::filesystem::path> files;
    if (status == 0) {
        for (std::size_t i = 0; i < matches.gl_pathc; ++i) files.emplace_back(matches.gl_pathv[i]);
    }
    ::globfree(&matches);
    if (status != 0 && status != GLOB_NOMATCH) throw ConfigError("glob() \"" + path.string() + "\" failed", where);
    std::sort(files.begin(), files.end());  // glob sorts too; say so rather than rely on it
    return files;
}

// Reads directives until `}` (inside a block) or the end of the file (top level).
std::vector<Directive> parse_block(Tokenizer& tokens, bool inside_block, const Reading& reading, int depth) {
    std::vector<Directive> directives;
    while (true) {
        Token token = tokens.next();
        if (token.kind == Token::End) {
            if (inside_block) throw ConfigError("unexpected end of file, expecting \"}\"", tokens.where(token.line));
            return directives;
        }
        if (token.kind == Token::CloseBrace) {
            if (!inside_block) throw ConfigError("unexpected \"}\"", tokens.where(token.line));
            return directives;
        }
        if (token.kind != Token::Word) throw ConfigError("unexpected \"" + token.text + "\"", tokens.where(token.line));

        Directive directive{token.text, {}, tokens.where(token.line), std::nullopt};
        while (true) {
            token = tokens.next();
            if (token.kind == Token::Word) {
                directive.arguments.push_back(token.text);
            } else if (token.kind == Token::Semicolon) {
                break;
            } else if (token.kind == Token::OpenBrace) {
                directive.block = parse_block(tokens, true, reading, depth);
                break;
            } else {
                throw ConfigError("unexpected " + (token.kind == Token::End ? std::string("end of file") : "\"}\"") +
                                      ", expecting \";\" or \"}\"",
                                  tokens.where(token.line));
            }
        }
        if (directive.name != "include") {
            directives.push_back(std::move(directive));
            continue;
        }
        if (directive.block || directive.arguments.size() != 1)
            throw ConfigError("invalid number of arguments in \"include\" directive", directive.where);
        for (const auto& file : files_named_by(directive.arguments[0], reading.include_folder, directive.where)) {
            auto included = read_file(file, reading, depth + 1, directive.where);
            directives.insert(directives.end(), std::make_move_iterator(included.begin()),
                              std::make_move_iterator(included.end()));
        }
    }
}

std::vector<Directive> read_file(const std::filesystem::path& file, const Reading& reading, int depth,
                                 const std::optional<SourceLocation>& included_from) {
    if (depth > max_include_depth) throw ConfigError("too many nested includes", *included_from);
    std::ifstream in(file);
    if (!in) {
        const std::string message = "open() \"" + file.string() + "\" failed (" + std::to_string(errno) + ": " +
                                    std::strerror(errno) + ")";
        throw included_from ? ConfigError(message, *included_from) : ConfigError(message);
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (reading.files_read) reading.files_read->push_back(file);
    Tokenizer tokens(text.str(), file.string());
    return parse_block(tokens, false, reading, depth);
}

}  // namespace

std::vector<Directive> read_config_file(const std::filesystem::path& file, const std::filesystem::path& include_folder,
                                        std::vector<std::filesystem::path>* files_read) {
    return read_file(file, {include_folder, files_read}, 0, std::nullopt);
}

std::vector<Directive> read_config_text(const std::string& text, const std::string& name,
                                        const std::filesystem::path& include_folder) {
    Tokenizer tokens(text, name);
    return parse_block(tokens, false, {include_folder, nullptr}, 0);
}

}  // namespace webstack::stage4
