// The seed article's hello world, line for line. In Python:
//
//     def process_http_request(environ, start_response):
//         status = '200 OK'
//         response_headers = [
//             ('Content-type', 'text/plain; charset=utf-8'),
//         ]
//         start_response(status, response_headers)
//         text = 'Hello World'.encode('utf-8')
//         return [text]
//
// Run it:  stage2-wsgi-callable hello_world:process_http_request
#include "wsgi/contract.hpp"

using namespace webstack::wsgi;

Body process_http_request(Environ& /*environ*/, StartResponse& start_response) {
    std::string status = "200 OK";
    Headers response_headers = {
        {"Content-type", "text/plain; charset=utf-8"},
    };
    start_response(status, response_headers);
    std::string text = "Hello World";
    return {text};
}

WSGI_APPLICATION(process_http_request);
