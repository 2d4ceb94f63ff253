# The seed article's hello world, as the article prints it (with the line holding
# only "]" that its copy lost): run by gunicorn, and by stages 2 and 3 through
# the Python bridge. Its C++ twin is stage2-wsgi-callable/apps/hello_world.cpp.
def process_http_request(environ, start_response):
    status = '200 OK'
    response_headers = [
        ('Content-type', 'text/plain; charset=utf-8'),
    ]
    start_response(status, response_headers)
    text = 'Hello World'.encode('utf-8')
    return [text]
