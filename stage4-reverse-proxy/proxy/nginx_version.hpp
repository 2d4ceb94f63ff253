// What `-v` and `-V` print. nginx's test suite reads `-V` to learn the
// version and which modules were built, and skips the files (or marks the
// checks TODO) that need what is missing; so `-V` must tell the truth: the
// nginx version we imitate, and a `--without-...` word for every module
// nginx builds by default that we do not have.
#pragma once

#include <string>

namespace webstack::stage4 {

// The nginx version the stages imitate (DESIGN.md: the reference).
inline constexpr const char* imitated_nginx_version = "1.30.0";

// "nginx version: nginx/1.30.0 (webstack stage5-static-files)"
std::string version_line(const std::string& program);

// Whether this build has OpenSSL (HTTPS), and its version for -V
// ("OpenSSL 3.0.19 27 Jan 2026"); have_gzip() and have_regular_expressions()
// are in gzip.hpp and config/regex.hpp.
bool have_tls();
std::string tls_library_version();

// -V: the version line, the libraries built in, and the configure
// arguments nginx would have been built with to have our modules.
// `static_files` is stage 5's module (autoindex, index, ...).
std::string build_report(const std::string& program, bool static_files);

}  // namespace webstack::stage4
