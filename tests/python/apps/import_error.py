"""Fails while being imported, as a project with a typo does."""
import json

SETTINGS = json.loads('{"debug": true}')
RATIO = 1 / 0


def application(environ, start_response):
    start_response('200 OK', [])
    return [b'never']
