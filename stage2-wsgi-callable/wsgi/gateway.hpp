// The server's half of the contract, for one request: build environ, call
// the application, enforce start_response()'s rules, send the headers
// when the first body bytes are ready, frame the body, and always call
// close(). Python's wsgiref.handlers.BaseHandler plays the same part.
#pragma once

#include "net/listener.hpp"
#include "response_writer.hpp"
#include "wsgi/contract.hpp"
#include "wsgi/rules.hpp"

namespace webstack::wsgi {

// Answers `request` with `application`. Errors the app causes are answered
// here: 500 (with a log entry) before the headers went out; after that, the
// connection is closed, since the status line can no longer change.
// `adjust_environ`, if given, may change the environ before the app sees it
// (stage 3 applies a trusted proxy's X-Forwarded-Proto there), or refuse
// the request: it returns why (a 400), or nothing.
using EnvironHook = std::function<std::optional<std::string>(Environ&)>;
void serve(const Application& application, const http::Request& request, const net::Endpoints& connection,
           stage1::ResponseWriter& writer, const EnvironHook& adjust_environ = {});

}  // namespace webstack::wsgi
