"""stage1-devserver against Python's own development server,
`python3 -m http.server`, both serving the same small page (stage1's welcome
page, about 1 KiB), both with a thread per connection (their defaults).

Three loads: keep-alive on one connection (wrk's default; http.server speaks
HTTP/1.0 and closes every connection anyway), "Connection: close" on both,
the like-for-like row where each request pays for a new TCP connection, and
keep-alive on 10 connections at once (10 threads each).
"""

import os
import subprocess
import urllib.request

from benchlib import Row, Server, free_port, temporary_folder, wait_for_port

TITLE = "stage1-devserver vs python3 -m http.server: one ~1 KiB page, a thread per connection"

rows = [
    Row("keep-alive, 1 connection"),
    Row("Connection: close, 1 conn.", headers=["Connection: close"]),
    Row("keep-alive, 10 connections", connections=10),
]


def servers(context):
    ours = Server("stage1-devserver", [context.binary("stage1-devserver"), "--bind", "127.0.0.1:{port}"])
    # Give the peer exactly the bytes stage1 serves at /.
    site = temporary_folder("webstack-bench-stage1-")
    port = free_port()
    probe = subprocess.Popen([context.binary("stage1-devserver"), "--bind", f"127.0.0.1:{port}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, probe)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read()
    finally:
        probe.terminate()
        probe.wait()
    with open(os.path.join(site, "index.html"), "wb") as index:
        index.write(page)
    peer = Server("python3 -m http.server", ["python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1",
                                              "--directory", site], path="/index.html")
    return [ours, peer]
