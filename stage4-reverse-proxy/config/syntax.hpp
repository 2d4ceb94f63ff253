// The nginx configuration language, as text: what a directive looks like,
// before anything knows what the directives mean.
//
//     # a comment
//     worker_processes 1;                      a simple directive: name, arguments, ";"
//     http {                                   a block directive: name, arguments, "{ ... }"
//         include sites-enabled/*;             replaced by the directives of the files it names
//         server { listen 8080; }
//     }
//
// An argument may be quoted ("a b", 'a b'), with \" \' \\ \n \t escapes;
// any other backslash stays, as nginx keeps it (location ~ \.php$).
// `include` is done here, while reading: nginx also treats it as text
// inclusion, so an included file may hold anything its place allows.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace webstack::stage4 {

// Where a directive was written, for error messages: "FILE:LINE".
struct SourceLocation {
    std::string file;
    int line = 0;
    std::string text() const { return file + ":" + std::to_string(line); }
};

struct Directive {
    std::string name;
    std::vector<std::string> arguments;
    SourceLocation where;
    std::optional<std::vector<Directive>> block;  // present for `name ... { ... }`
};

// A configuration mistake, worded as nginx words it, with where it is:
// `unknown directive "proxy_pas" in /path/nginx.conf:12`.
class ConfigError : public std::runtime_error {
public:
    ConfigError(const std::string& message, const SourceLocation& where)
        : std::runtime_error(message + " in " + where.text()) {}
    explicit ConfigError(const std::string& message) : std::runtime_error(message) {}
};

// Reads `file` and every file it includes. Relative include paths resolve
// against `include_folder` (nginx: the main config file's folder, whatever
// -p says). Each file read is added to `files_read` when given (for -T).
// Throws ConfigError.
std::vector<Directive> read_config_file(const std::filesystem::path& file, const std::filesystem::path& include_folder,
                                        std::vector<std::filesystem::path>* files_read = nullptr);

// The same for directives given as text (nginx's -g "pid /run/x.pid;"),
// `name` standing for the file in messages.
std::vector<Directive> read_config_text(const std::string& text, const std::string& name,
                                        const std::filesystem::path& include_folder);

}  // namespace webstack::stage4
