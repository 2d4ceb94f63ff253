// Apps that break the contract on purpose, one rule each. The tests use
// them to check that the server and the validator catch every one; you can
// too:  stage2-wsgi-callable broken:wrong_status --validate
#include "wsgi/contract.hpp"

#include <stdexcept>

using namespace webstack::wsgi;

// "200" alone: the status must be "NNN Reason".
Body wrong_status(Environ&, StartResponse& start_response) {
    start_response("200", {{"Content-Type", "text/plain"}});
    return {"never sent\n"};
}
WSGI_APPLICATION(wrong_status);

// Connection belongs to one hop; the app must leave it to the server.
Body hop_by_hop(Environ&, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain"}, {"Connection", "close"}});
    return {"never sent\n"};
}
WSGI_APPLICATION(hop_by_hop);

// A second call is only allowed with exc_info.
Body start_response_twice(Environ&, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain"}});
    start_response("404 Not Found", {{"Content-Type", "text/plain"}});
    return {"never sent\n"};
}
WSGI_APPLICATION(start_response_twice);

// Returns a body without ever calling start_response().
Body no_start_response(Environ&, StartResponse&) { return {"no status, no headers\n"}; }
WSGI_APPLICATION(no_start_response);

// Fails before anything was sent: the server can still answer 500.
Body throws_before_headers(Environ&, StartResponse&) { throw std::runtime_error("the database is down"); }
WSGI_APPLICATION(throws_before_headers);

// Fails after the first chunk went out: too late for a 500, so the server
// closes the connection and the client sees a truncated response.
Body throws_after_headers(Environ&, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain"}});
    int step = 0;
    return Body::generator([step]() mutable -> std::optional<std::string> {
        if (step++ == 0) return "first chunk\n";
        throw std::runtime_error("the template failed halfway");
    });
}
WSGI_APPLICATION(throws_after_headers);

// Promises 100 bytes, sends 10: the client would wait for 90 more.
Body content_length_too_long(Environ&, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain"}, {"Content-Length", "100"}});
    return {"ten bytes\n"};
}
WSGI_APPLICATION(content_length_too_long);

// Promises 5 bytes, sends 21: the extra bytes would be read as the next response.
Body content_length_too_short(Environ&, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain"}, {"Content-Length", "5"}});
    return {"twenty-one bytes sent"};
}
WSGI_APPLICATION(content_length_too_short);

// "Status" is the status line's job, not a header (wsgiref.validate refuses it).
Body status_header(Environ&, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain"}, {"Status", "200"}});
    return {"ok\n"};
}
WSGI_APPLICATION(status_header);

// A line break in a header value would let the app inject headers.
Body header_injection(Environ&, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain\r\nSet-Cookie: admin=1"}});
    return {"ok\n"};
}
WSGI_APPLICATION(header_injection);
