// Two rules of PEP 3333 that both the server (gateway.cpp) and the
// validator middleware check.
#pragma once

#include <string>
#include <string_view>

namespace webstack::wsgi {

// True for the hop-by-hop headers of RFC 9110 section 7.6.1, which belong
// to one connection and are the server's business, never the app's.
bool is_hop_by_hop(std::string_view header_name);

// Checks "NNN Reason"; returns why it is not, or "" when it is fine.
std::string check_status_line(std::string_view status);

}  // namespace webstack::wsgi
