"""Answers with its environ, one "KEY<TAB>repr(value)" line per key,
sorted: what the server gave the app, key by key, for the differential
test against Gunicorn. wsgi.input is read to its end and shown as its
length and SHA-256; other objects by their type's name."""
import hashlib


def describe(key, value):
    if key == 'wsgi.input':
        body = value.read()
        return 'body of %d bytes, sha256 %s' % (len(body), hashlib.sha256(body).hexdigest()[:16])
    if isinstance(value, (str, bool, int, tuple)) or value is None:
        return repr(value)
    return 'an object'


def application(environ, start_response):
    lines = ['%s\t%s' % (key, describe(key, environ[key])) for key in sorted(environ)]
    body = ('\n'.join(lines) + '\n').encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain; charset=utf-8'), ('Content-Length', str(len(body)))])
    return [body]
