"""stage5-static-files against nginx over HTTPS: the same 1 KiB file, the
same self-signed certificate (RSA 2048, scripts/make-certificate), TLS 1.3,
one worker process each. Rows: kept-alive connections (the cost of
encrypting), and a new connection for every request (the cost of the
handshake). Ours decrypts into a socket pair that the plain HTTP code
serves (proxy/tls.hpp): one more copy each way, which nginx does not pay.
"""

import os
import subprocess

from benchlib import HERE_ROOT, Row, our_proxy, real_nginx, temporary_folder

TITLE = "stage5-static-files vs nginx over HTTPS (TLS 1.3), the same file and certificate, one worker each"

folder = temporary_folder("webstack-bench-https-")
os.chmod(folder, 0o755)  # nginx's workers run as another user
with open(os.path.join(folder, "1k.bin"), "wb") as out:
    out.write(bytes((i * 7) % 251 for i in range(1024)))
os.chmod(os.path.join(folder, "1k.bin"), 0o644)
subprocess.run([os.path.join(HERE_ROOT, "scripts", "make-certificate"), os.path.join(folder, "tls")],
               check=True, capture_output=True)
os.chmod(os.path.join(folder, "tls"), 0o755)
os.chmod(os.path.join(folder, "tls", "key.pem"), 0o644)  # read by nginx's master (root) only; a scratch key

rows = [
    Row("1 KiB file, kept-alive, 10 conns", connections=10, path="/1k.bin"),
    Row("1 KiB file, a handshake each, 10 conns", connections=10, path="/1k.bin", headers=["Connection: close"]),
]


def site(port):
    return f"""    sendfile on;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {folder}/tls/cert.pem;
        ssl_certificate_key {folder}/tls/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        root {folder};
    }}"""


def servers(context):
    ours = our_proxy("stage5-static-files", context.binary("stage5-static-files"), site)
    nginx = real_nginx("nginx", site)
    ours.scheme = nginx.scheme = "https"
    return [ours, nginx]
