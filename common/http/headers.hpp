// A list of HTTP header fields that keeps what the client sent: the order,
// the original spelling of names, and repeated fields (RFC 9110 section 5.3
// allows "Accept: a" and "Accept: b" on two lines). Lookups ignore case,
// because field names are case-insensitive.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webstack::http {

struct HeaderField {
    std::string name;
    std::string value;
};

// True when a and b are equal, ignoring ASCII case. (Inline: header
// lookups call it for every field.)
inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a == b) return true;  // the usual case, "Content-Length" asked as "Content-Length": one memcmp
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

class HeaderList {
public:
    // Appends a field, even when one of that name exists already.
    void add(std::string name, std::string value);
    // Replaces every field of that name with one field (or appends it).
    void set(std::string_view name, std::string value);
    // Removes every field of that name.
    void remove(std::string_view name);

    bool contains(std::string_view name) const;
    // The first value of that name, if any.
    std::optional<std::string_view> get(std::string_view name) const;
    // Every value of that name joined with ", " (RFC 9110 section 5.3), if any.
    std::optional<std::string> get_combined(std::string_view name) const;
    // How many fields of that name there are.
    std::size_t count(std::string_view name) const;
    // True when a comma-separated field of that name lists the token
    // (e.g. has_token("Connection", "close")), ignoring case.
    bool has_token(std::string_view name, std::string_view token) const;

    std::size_t size() const { return fields_.size(); }
    bool empty() const { return fields_.empty(); }
    auto begin() const { return fields_.begin(); }
    auto end() const { return fields_.end(); }

private:
    std::vector<HeaderField> fields_;
};

// Without the spaces and tabs (HTTP's "optional whitespace") at both ends.
std::string_view trim(std::string_view text);

// True when the comma-separated list ("keep-alive, Upgrade") has the
// element `token`, ignoring case; like searching split_list's result,
// without building it.
bool list_contains(std::string_view list, std::string_view token);

// Splits a comma-separated list ("gzip, chunked") into trimmed elements,
// keeping empty ones so that callers can reject "chunked,,".
std::vector<std::string_view> split_list(std::string_view value);

}  // namespace webstack::http
