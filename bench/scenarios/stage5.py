"""stage5-static-files against nginx, serving the same files from the same
folder: one worker process each, sendfile on, no access log, keep-alive.
nginx also gets `tcp_nopush on`, as in Debian's nginx.conf (head and file
leave together; ours does the same with MSG_MORE, always).
Rows: a 1 KiB file, a 1 MiB file, and a 304 revalidation of the 1 KiB
file (If-Modified-Since with its exact date: the client's copy is current,
only a head goes back).
"""

import email.utils
import os

from benchlib import Row, our_proxy, real_nginx, temporary_folder

TITLE = "stage5-static-files vs nginx, the same files, one worker each, sendfile on"

folder = temporary_folder("webstack-bench-stage5-files-")
os.chmod(folder, 0o755)  # nginx's workers run as another user (www-data, or nobody)
MTIME = 1795428000  # 2026-11-23 10:00:00 UTC: the same Last-Modified for both servers
for name, size in (("1k.bin", 1024), ("1m.bin", 1024 * 1024)):
    path = os.path.join(folder, name)
    with open(path, "wb") as out:
        out.write(bytes((i * 7) % 251 for i in range(size)))
    os.chmod(path, 0o644)
    os.utime(path, (MTIME, MTIME))
since = email.utils.formatdate(MTIME, usegmt=True)

rows = [
    Row("1 KiB file, 10 conns", connections=10, path="/1k.bin"),
    Row("1 MiB file, 10 conns", connections=10, path="/1m.bin"),
    Row("304 revalidation, 10 conns", connections=10, path="/1k.bin", headers=[f"If-Modified-Since: {since}"]),
]


def site(port, nopush=""):
    return f"""    sendfile on;{nopush}
    server {{
        listen 127.0.0.1:{port};
        root {folder};
    }}"""


def servers(context):
    return [
        our_proxy("stage5-static-files", context.binary("stage5-static-files"), site),
        real_nginx("nginx", lambda port: site(port, "\n    tcp_nopush on;")),
    ]
