"""stage4-reverse-proxy against nginx, each in front of the same app server:
  - the app server: stage3, async worker, one worker, serving hello_world.so;
  - stage4-reverse-proxy, one process, upstream keepalive (its default);
  - nginx (Debian), one worker, with upstream keepalive switched on the way
    nginx before 1.29.7 needs it (keepalive 32, HTTP/1.1, Connection "").
Both proxies buffer (their default) and log nothing. The app server runs
on the proxies' core (core 0): each proxy pays for the same upstream.
"""

import os
import tempfile

from benchlib import Row, Server, real_nginx

TITLE = "stage4-reverse-proxy vs nginx, in front of the same stage3 (async, one worker)"

rows = [Row("10 connections, keep-alive", connections=10)]

upstream = None  # set by support(): the app server both proxies share


def support(context):
    global upstream
    upstream = Server("stage3 async (upstream)", [context.binary("stage3-prefork-server"),
                                                  "hello_world:process_http_request", "-w", "1", "-k", "async",
                                                  "--keep-alive", "75", "-b", "127.0.0.1:{port}"])
    return [upstream]


def write_stage4_config(prefix):
    def setup(port):
        with open(os.path.join(prefix, "nginx.conf"), "w") as config:
            config.write(f"""worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    upstream app {{ server 127.0.0.1:{upstream.port}; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{ proxy_pass http://app; }}
    }}
}}
""")
    return setup


def servers(context):
    ours = tempfile.mkdtemp(prefix="webstack-bench-stage4-")
    return [
        Server("stage4-reverse-proxy", [context.binary("stage4-reverse-proxy"), "-c", os.path.join(ours, "nginx.conf")],
               setup=write_stage4_config(ours)),
        real_nginx("nginx", lambda port: f"""    upstream app {{ server 127.0.0.1:{upstream.port}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://app;
        }}
    }}"""),
    ]
