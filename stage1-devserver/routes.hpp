// What the dev server answers. A handler is a plain function from a request
// to a response: it never sees a socket, so it can be tested, and swapped
// (stage2 replaces it with "call the application").
//
//   /               the welcome page: where you are in the tutorial
//   /echo           the request you sent, as text (any method, any body)
//   /slow?seconds=N waits N seconds (at most 30), then answers
//   anything else   404 with a small HTML page
#pragma once

#include "http/message.hpp"

namespace webstack::stage1 {

http::Response route_request(const http::Request& request);

}  // namespace webstack::stage1
