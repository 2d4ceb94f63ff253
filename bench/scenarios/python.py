"""Python apps: stage3-prefork-server (through its Python bridge) against
Debian's Gunicorn, one sync worker each, on the same Python code:
  - the article's hello_world.py (bench/apps/hello_world.py);
  - a Django page: examples/django's home view, a template with a CSRF
    token (Debian's Django, DEBUG off);
  - and our C++ hello_world.so on stage 3 beside the Python one: what
    calling Python costs.
Both servers' sync workers close every connection (a TCP connection per
request), so both sides are in the same connection mode.
"""

import os
import shutil

from benchlib import Row, Server

TITLE = "Python apps: stage3-prefork-server vs gunicorn, one sync worker each"

rows = [Row("10 connections", connections=10)]

HERE = os.path.dirname(os.path.abspath(__file__))
APPS = os.path.join(HERE, "..", "apps")
DJANGO = os.path.join(HERE, "..", "..", "examples", "django")


def servers(context):
    stage3 = context.binary("stage3-prefork-server")
    gunicorn = shutil.which("gunicorn") or "/usr/bin/gunicorn"
    cpp_app = os.path.join(context.build_dir, "apps", "hello_world")  # a path: the .so, never the .py
    one_worker = ["-w", "1", "-b", "127.0.0.1:{port}"]
    return [
        Server("stage3 hello_world.py", [stage3, "--chdir", APPS, "hello_world:process_http_request"] + one_worker),
        Server("gunicorn hello_world.py", [gunicorn, "--chdir", APPS, "hello_world:process_http_request"] + one_worker),
        Server("stage3 hello_world.so", [stage3, cpp_app + ":process_http_request"] + one_worker),
        Server("stage3 Django page", [stage3, "--chdir", DJANGO, "lifecycle.wsgi:application"] + one_worker),
        Server("gunicorn Django page", [gunicorn, "--chdir", DJANGO, "lifecycle.wsgi:application"] + one_worker),
    ]


ratios = [
    ("stage3 hello_world.py", "gunicorn hello_world.py"),
    ("stage3 Django page", "gunicorn Django page"),
    ("stage3 hello_world.so", "stage3 hello_world.py"),
]
