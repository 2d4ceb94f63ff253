"""The shielding lesson as numbers: normal clients' throughput and latency
while 8 slow clients trickle their uploads (a byte every 100 ms), against
  - stage3 with 4 sync workers, directly: each slow client holds a worker;
  - the same stage3 behind stage4-reverse-proxy: the proxy holds them.
The slow clients run from the moment each server starts.
"""

import os
import sys

from benchlib import Row, Server, temporary_folder

TITLE = "8 slow clients: a sync stage3 (4 workers) directly vs behind stage4-reverse-proxy"
SLOW_CLIENTS = 8

HERE = os.path.dirname(os.path.abspath(__file__))
SLOW = os.path.join(HERE, "..", "slow_clients.py")

rows = [Row("10 connections, 8 slow clients", connections=10)]

upstream = None


def with_slow_clients(command):
    """Runs the slow clients beside the server, in its process group, so that
    stopping the server stops them too."""
    return ["sh", "-c", f'"{sys.executable}" "{SLOW}" {{port}} {SLOW_CLIENTS} & exec "$0" "$@"'] + command


def support(context):
    global upstream
    upstream = Server("stage3 sync, 4 workers (behind the proxy)",
                      [context.binary("stage3-prefork-server"), "hello_world:process_http_request", "-w", "4",
                       "-b", "127.0.0.1:{port}"])
    return [upstream]


def servers(context):
    prefix = temporary_folder("webstack-bench-slow-")

    def write_config(port):
        with open(os.path.join(prefix, "nginx.conf"), "w") as config:
            config.write(f"""events {{ worker_connections 1024; }}
http {{
    access_log off;
    upstream app {{ server 127.0.0.1:{upstream.port}; }}
    server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://app; }} }}
}}
""")

    return [
        Server("through stage4", with_slow_clients([context.binary("stage4-reverse-proxy"), "-c",
                                                    os.path.join(prefix, "nginx.conf")]), setup=write_config),
        Server("stage3 directly", with_slow_clients([context.binary("stage3-prefork-server"),
                                                     "hello_world:process_http_request", "-w", "4",
                                                     "-b", "127.0.0.1:{port}"])),
    ]
