// A rule of PEP 3333 that both the server (gateway.cpp) and the validator
// middleware check. (The other, no hop-by-hop headers from an app, is
// common/http's is_hop_by_hop with PEP 3333's list.)
#pragma once

#include <string>
#include <string_view>

namespace webstack::wsgi {

// Checks "NNN Reason"; returns why it is not, or "" when it is fine.
std::string check_status_line(std::string_view status);

}  // namespace webstack::wsgi
