// A rule of PEP 3333 that both the server (gateway.cpp) and the validator
// middleware check. (The other, no hop-by-hop headers from an app, is
// common/http's is_hop_by_hop with PEP 3333's list.)
#pragma once

#include <string>
#include <string_view>

namespace webstack::wsgi {

// Checks the status an app gives start_response(): "NNN Reason", three
// digits (the first not 0), a space, a reason of at least one character,
// and no CR or LF anywhere. Returns "" when it is fine, else why not, in
// one of these two sentences (the server logs it; the tests compare it word
// for word, with the status given in place of 200):
//   status "200" is not of the form "NNN Reason", e.g. "200 OK"
//   the status has a line break
std::string check_status_line(std::string_view status);

}  // namespace webstack::wsgi
