"""stage5-static-files against nginx with `gzip on`: the same 16 KiB HTML
page compressed on its way out (zlib, level 1, nginx's default), one worker
each, kept-alive connections. The second row asks without
Accept-Encoding: the same page sent as it is (sendfile), for scale.
"""

import os

from benchlib import Row, our_proxy, real_nginx, temporary_folder

TITLE = "stage5-static-files vs nginx, gzip on, the same 16 KiB page, one worker each"

folder = temporary_folder("webstack-bench-gzip-")
os.chmod(folder, 0o755)
words = ("the proxy compresses text on its way out, files and pages alike; " * 300)[: 16 * 1024]
with open(os.path.join(folder, "page.html"), "w") as out:
    out.write(words)
os.chmod(os.path.join(folder, "page.html"), 0o644)

rows = [
    Row("16 KiB page, gzip, 10 conns", connections=10, path="/page.html", headers=["Accept-Encoding: gzip"]),
    Row("16 KiB page, as it is, 10 conns", connections=10, path="/page.html"),
]


def site(port):
    return f"""    sendfile on;
    gzip on;
    server {{
        listen 127.0.0.1:{port};
        root {folder};
    }}"""


def servers(context):
    return [
        our_proxy("stage5-static-files", context.binary("stage5-static-files"), site),
        real_nginx("nginx", site),
    ]
