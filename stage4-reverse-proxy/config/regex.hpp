// Regular expressions as nginx uses them (`location ~ \.php$`,
// `server_name ~^(?<sub>.+)\.example\.com$`): Perl-compatible, through
// PCRE2, the library nginx links. A match fills the captures that
// $1..$9 and $NAME then give.
//
// Built without PCRE2 (libpcre2-dev), compile() refuses every pattern
// with nginx's own words, naming the package.
#pragma once

#include "config/syntax.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace webstack::stage4 {

// What a match captured: $1..$9 by number, (?<name>...) by name.
struct Captures {
    std::vector<std::string> numbered;  // [0] is the whole match
    std::map<std::string, std::string> named;
};

class Regex {
public:
    // Compiles `pattern` (case-insensitive for `~*`); throws ConfigError
    // with PCRE2's message, as nginx's `-t` reports it.
    static std::shared_ptr<const Regex> compile(const std::string& pattern, bool caseless, const SourceLocation& where);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // True when `subject` matches; the captures go to `captures` if given.
    bool match(std::string_view subject, Captures* captures = nullptr) const;

    const std::string& pattern() const { return pattern_; }
    const std::vector<std::string>& capture_names() const { return names_; }

private:
    Regex() = default;
    std::string pattern_;
    std::vector<std::string> names_;  // the (?<name>...) groups, for checking $name in the config
    void* code_ = nullptr;             // pcre2_code_8
};

// Whether this build has regular expressions (PCRE2).
bool have_regular_expressions();

}  // namespace webstack::stage4
