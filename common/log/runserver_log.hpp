// Request lines the way Django's runserver prints them:
//   [23/Nov/2026 21:00:00] "GET / HTTP/1.1" 200 1234
// coloured by status class on a terminal, with the colours of Django's
// default palette (django/utils/termcolors.py).
#pragma once

#include <string>
#include <string_view>

namespace webstack::log {

// The line, without colour. `size` is the number of body bytes sent.
std::string format_runserver_line(std::string_view request_line, int status, std::size_t size);

// Wraps `line` in the ANSI colour Django uses for `status`.
std::string colour_for_status(std::string_view line, int status);

// Formats, colours when stderr is a terminal, and writes the line.
void runserver_request(std::string_view request_line, int status, std::size_t size);

// "[23/Nov/2026 21:00:00] " followed by `message`, as runserver's other lines.
void runserver_message(std::string_view message);

}  // namespace webstack::log
