// Middleware: an application that wraps an application. It sees the
// request on the way in and the response on the way out, and neither the
// server nor the app can tell it is there: that is the contract at work.
// Django's middleware and wsgiref.validate are built the same way.
#pragma once

#include "wsgi/contract.hpp"

namespace webstack::wsgi {

// Checks both sides of the contract on every request, as Python's
// wsgiref.validate does: the server's environ, and the app's status,
// headers, start_response() calls, body, close() and Content-Length.
// A broken rule throws ContractError ("validator: ..."), which the server
// answers with 500 and logs, so the culprit shows up at once.
Application validator(Application application);

// Logs one line per request to wsgi.errors: method, path, status, bytes,
// time, once the server has closed the body.
Application request_logger(Application application);

// Turns an exception from the app into a "500 Internal Server Error" page,
// using start_response()'s exc_info: the textbook use of that argument.
Application exceptions_to_500(Application application);

}  // namespace webstack::wsgi
