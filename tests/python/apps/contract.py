"""Apps that each use one part of PEP 3333, or break one rule, for the
tests of the Python bridge. Selected by the path: /input, /errors, ..."""
import io
import os
import sys

CLOSE_LOG = os.environ.get('WEBSTACK_CLOSE_LOG', '/dev/null')
IMPORTED_BY = os.getpid()


def log_close(what):
    with open(CLOSE_LOG, 'a') as log:
        log.write(what + '\n')


class Closing:
    """An iterable whose close() leaves a line in CLOSE_LOG."""
    def __init__(self, chunks, name, fail_at=None):
        self.chunks, self.name, self.fail_at = chunks, name, fail_at

    def __iter__(self):
        for index, chunk in enumerate(self.chunks):
            if index == self.fail_at:
                raise RuntimeError('the body failed at chunk %d' % index)
            yield chunk

    def close(self):
        log_close('closed ' + self.name)


def input_methods(environ):
    stream = environ['wsgi.input']
    first = stream.readline()
    second = stream.readline(3)
    rest = stream.readlines()
    return b'|'.join([first, second] + rest) + b'|' + stream.read(100) + b'end'


def application(environ, start_response):
    path = environ['PATH_INFO']
    text = [('Content-Type', 'text/plain')]
    if path == '/input':
        start_response('200 OK', text)
        return [input_methods(environ)]
    if path == '/input-iter':
        start_response('200 OK', text)
        return [b'%d lines' % sum(1 for _ in environ['wsgi.input'])]
    if path == '/input-read':
        size = int(environ.get('QUERY_STRING') or -1)
        start_response('200 OK', text)
        return [environ['wsgi.input'].read(size)]
    if path == '/errors':
        environ['wsgi.errors'].write('a line for the error log\n')
        environ['wsgi.errors'].writelines(['two ', 'lines\n'])
        environ['wsgi.errors'].flush()
        start_response('200 OK', text)
        return [b'logged']
    if path == '/write':
        write = start_response('200 OK', text)
        write(b'written, ')
        return [b'then returned']
    if path == '/file':
        start_response('200 OK', text)
        return environ['wsgi.file_wrapper'](open(__file__, 'rb'), 100)
    if path == '/big-file':
        # A file named by the test, through wsgi.file_wrapper: sent with sendfile.
        name = environ['QUERY_STRING']
        start_response('200 OK', [('Content-Type', 'application/octet-stream')])
        return environ['wsgi.file_wrapper'](open(name, 'rb'))
    if path == '/file-part':
        # From byte 5 on, with a Content-Length of 10: the server sends those 10.
        stream = open(__file__, 'rb')
        stream.read(5)
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '10')])
        return environ['wsgi.file_wrapper'](stream)
    if path == '/bytesio':
        start_response('200 OK', text)
        return environ['wsgi.file_wrapper'](io.BytesIO(b'from memory, no file descriptor'))
    if path == '/generator':
        start_response('200 OK', text)
        return (b'chunk %d\n' % n for n in range(3))
    if path == '/closing':
        start_response('200 OK', text)
        return Closing([b'one ', b'two'], 'closing')
    if path == '/closing-fails':
        start_response('200 OK', text)
        return Closing([b'one ', b'two'], 'closing-fails', fail_at=1)
    if path == '/long':
        start_response('200 OK', text)
        return Closing([b'x' * 65536] * 200, 'long')
    if path == '/raise':
        raise ValueError('the app raised on purpose')
    if path == '/exc-info':
        try:
            raise KeyError('missing')
        except KeyError:
            start_response('200 OK', text)
            start_response('500 Internal Server Error', text, sys.exc_info())
            return [b'the app recovered with exc_info']
    if path == '/exc-info-late':
        start_response('200 OK', text)
        yield_first = [b'first']

        def body():
            yield yield_first[0]
            try:
                raise KeyError('too late')
            except KeyError:
                start_response('500 Internal Server Error', text, sys.exc_info())
            yield b'never'
        return body()
    if path == '/str-body':
        start_response('200 OK', text)
        return ['a str, not bytes']
    if path == '/tuple-headers':
        start_response('200 OK', (('Content-Type', 'text/plain'),))
        return [b'no']
    if path == '/bytes-status':
        start_response(b'200 OK', text)
        return [b'no']
    if path == '/not-latin1':
        start_response('200 OK', [('X-Name', 'caf\u00e9 \u2603')])
        return [b'no']
    if path == '/hop-by-hop':
        start_response('200 OK', [('Connection', 'close')])
        return [b'no']
    if path == '/no-start':
        return [b'no start_response']
    if path == '/print':
        print('printed by the app, to its stdout')
        start_response('200 OK', text)
        return [b'printed']
    if path == '/pid':
        start_response('200 OK', text)
        return [b'%d %d %s' % (os.getpid(), IMPORTED_BY, os.environ.get('WEBSTACK_GREETING', '-').encode())]
    start_response('404 Not Found', text)
    return [b'no such test']
