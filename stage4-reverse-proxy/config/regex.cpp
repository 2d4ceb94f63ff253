#include "config/regex.hpp"

#ifdef WEBSTACK_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

namespace webstack::stage4 {

#ifdef WEBSTACK_HAVE_PCRE2

bool have_regular_expressions() { return true; }

std::shared_ptr<const Regex> Regex::compile(const std::string& pattern, bool caseless, const SourceLocation& where) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     caseless ? PCRE2_CASELESS : 0, &error, &offset, nullptr);
    if (!code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(error, message, sizeof message);
        // nginx: pcre2_compile() failed: missing closing parenthesis in "(\d" at ""
        throw ConfigError("pcre2_compile() failed: " + std::string(reinterpret_cast<char*>(message)) + " in \"" +
                              pattern + "\" at \"" + pattern.substr(std::min<std::size_t>(offset, pattern.size())) +
                              "\"",
                          where);
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // nginx's pcre_jit; slower matching when JIT is unavailable
    std::shared_ptr<Regex> regex(new Regex);
    regex->pattern_ = pattern;
    regex->code_ = code;
    // The named groups: a table of entries, each the group's number (2 bytes) then its name.
    std::uint32_t count = 0, entry_size = 0;
    PCRE2_SPTR table = nullptr;
    pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
    pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
    for (std::uint32_t i = 0; i < count; ++i)
        regex->names_.emplace_back(reinterpret_cast<const char*>(table + i * entry_size + 2));
    return regex;
}

Regex::~Regex() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

bool Regex::match(std::string_view subject, Captures* captures) const {
    auto* code = static_cast<pcre2_code*>(code_);
    pcre2_match_data* data = pcre2_match_data_create_from_pattern(code, nullptr);
    const int found = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0, data, nullptr);
    if (found > 0 && captures) {
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
        captures->numbered.clear();
        for (int i = 0; i < found; ++i) {
            const auto start = ovector[2 * i], end = ovector[2 * i + 1];
            captures->numbered.emplace_back(start == PCRE2_UNSET ? std::string_view() : subject.substr(start, end - start));
        }
        // Named captures stay: a server_name's $user lives on when a location's expression matches.
        std::uint32_t count = 0, entry_size = 0;
        PCRE2_SPTR table = nullptr;
        pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
        pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
        pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
        for (std::uint32_t i = 0; i < count; ++i) {
            const auto* entry = table + i * entry_size;
            const int group = (entry[0] << 8) | entry[1];
            if (group < found)
                captures->named[reinterpret_cast<const char*>(entry + 2)] = captures->numbered[static_cast<std::size_t>(group)];
        }
    }
    pcre2_match_data_free(data);
    return found > 0;
}

#else

bool have_regular_expressions() { return false; }

std::shared_ptr<const Regex> Regex::compile(const std::string& pattern, bool, const SourceLocation& where) {
    throw ConfigError("using regex \"" + pattern + "\" requires PCRE library (this build has none: install "
                      "libpcre2-dev, then build again)", where);
}

Regex::~Regex() = default;

bool Regex::match(std::string_view, Captures*) const { return false; }

#endif

}  // namespace webstack::stage4
