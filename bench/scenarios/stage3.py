"""stage3-prefork-server against the real programs, one worker each:
  - stage3, sync worker and async worker, serving hello_world.so;
  - Debian's gunicorn (sync worker) serving the seed article's Python
    hello world (bench/apps/hello_world.py);
  - nginx answering `return 200 "Hello World"`, with keep-alive and with
    keepalive_timeout 0 (it then closes every connection, as a sync worker does).
The sync workers close every connection, so their ceiling is "a TCP
connection per request": compare them with nginx without keep-alive.
"""

import os
import shutil

from benchlib import Row, Server, real_nginx

TITLE = "stage3-prefork-server vs gunicorn vs nginx: hello world, one worker each"

rows = [Row("10 connections", connections=10)]

HERE = os.path.dirname(os.path.abspath(__file__))


def nginx_server(name, keepalive_timeout):
    return real_nginx(name, lambda port: f"""    keepalive_timeout {keepalive_timeout};
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            default_type text/plain;
            return 200 "Hello World";
        }}
    }}""")


def servers(context):
    stage3 = context.binary("stage3-prefork-server")
    gunicorn = shutil.which("gunicorn") or "/usr/bin/gunicorn"
    return [
        Server("stage3 sync", [stage3, "hello_world:process_http_request", "-w", "1", "-b", "127.0.0.1:{port}"]),
        Server("stage3 async", [stage3, "hello_world:process_http_request", "-w", "1", "-k", "async",
                                "-b", "127.0.0.1:{port}"]),
        Server("gunicorn sync", [gunicorn, "--chdir", os.path.join(HERE, "..", "apps"), "-w", "1",
                                 "-b", "127.0.0.1:{port}", "hello_world:process_http_request"]),
        nginx_server("nginx keep-alive", 75),
        nginx_server("nginx keepalive_timeout 0", 0),
    ]

# The comparisons the chapter talks about.
ratios = [
    ("stage3 async", "nginx keep-alive"),
    ("stage3 sync", "nginx keepalive_timeout 0"),
    ("stage3 sync", "gunicorn sync"),
    ("stage3 async", "gunicorn sync"),
]
