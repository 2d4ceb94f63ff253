// The request target ("/static/a%20b.css?v=2") taken apart the way a server
// needs it: path and query split, the path percent-decoded and its dot
// segments removed, so "/static/../secret" cannot climb out of a folder.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace webstack::http {

struct Target {
    std::string path;        // decoded and normalised: "/static/a b.css"
    std::string query;       // as sent, still encoded: "v=2"
    std::string raw_path;    // as sent: "/static/a%20b.css"
};

struct TargetOptions {
    // A decoded "%2F" would turn one path segment into two; a server that
    // maps paths to files refuses it (nginx does not, Apache does by default).
    bool reject_encoded_slash = false;
};

struct TargetResult {
    std::optional<Target> target;
    std::string error;       // why it was refused, when target is empty
};

// Accepts origin form ("/a?b"), absolute form ("http://host/a?b") and "*".
TargetResult parse_target(std::string_view raw, const TargetOptions& options = {});

// RFC 9112 section 3.2.2: a request to a proxy may name the whole URL,
// "http://other.example:8080/a?b" (absolute form). A server then takes the
// host from it instead of from the Host header, and an upstream is sent the
// origin form "/a?b". As nginx reads it: any scheme, in any case; a host of
// letters, digits, "." and "-" (or an IPv6 literal in brackets), maybe a port.
struct AbsoluteForm {
    std::string authority;    // "other.example:8080"
    std::string origin_form;  // "/a?b" ("/" when the URL has no path)
};
struct AbsoluteFormResult {
    bool is_absolute_form = false;     // false: origin form, "*", or anything else
    std::optional<AbsoluteForm> form;  // empty when absolute form but invalid (400)
};
AbsoluteFormResult split_absolute_form(std::string_view target);

// A Host value (or the host of an absolute-form target) as nginx reads it
// (ngx_http_validate_host, nginx 1.30): the name lowercased, without its
// port or a trailing dot ("WWW.Example.com.:8080" is "www.example.com"; an
// IPv6 literal keeps its brackets). Nothing when nginx answers 400 ("client
// sent invalid host header"): empty or only ".", a "/", "\\", "@", space,
// control byte or "..", a port that is not a number up to 65535, an IPv6 literal
// without its "]" or with anything but a port after it.
std::optional<std::string> host_name(std::string_view host);

// "%41b" -> "Ab". Refuses bad escapes and an encoded NUL ("%00"); refuses
// "%2F" when asked to. Returns nothing when refused.
std::optional<std::string> percent_decode(std::string_view text, bool reject_encoded_slash = false);

// The way back: "%" and every byte that cannot stand in a path as it is
// (controls, space, non-ASCII) become "%XX", and so does each character of
// `also` ("?#" for a path, "<>&'" more for a link in HTML).
std::string percent_encode(std::string_view text, std::string_view also = "?#\"");

// RFC 3986's characters that may not stand unescaped in a URI (nginx
// escapes them in the redirects it makes): percent_encode(path, unsafe_in_uri).
inline constexpr std::string_view unsafe_in_uri = "?#\"<>\\^`{|}";

// RFC 3986 section 5.2.4: "/a/./b/../c" -> "/a/c". Returns nothing when the
// path climbs above the root ("/../etc/passwd"), which nginx answers with 400.
std::optional<std::string> remove_dot_segments(std::string_view path);

}  // namespace webstack::http
