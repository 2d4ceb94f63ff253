// A second version of hello_world, for the --reload test: the test copies
// it over the first and expects the server to pick it up.
#include "wsgi/contract.hpp"

using namespace webstack::wsgi;

Body process_http_request(Environ&, StartResponse& start_response) {
    start_response("200 OK", {{"Content-Type", "text/plain"}});
    return {"Hello again, from the reloaded code\n"};
}
WSGI_APPLICATION(process_http_request);
