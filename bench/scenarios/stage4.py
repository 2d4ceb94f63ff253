"""stage4-reverse-proxy against nginx, each in front of the same app server:
  - the app server: stage3, async worker, one worker, serving hello_world.so;
  - stage4-reverse-proxy, one process, upstream keepalive (its default);
  - nginx (Debian), one worker, with upstream keepalive switched on the way
    nginx before 1.29.7 needs it (keepalive 32, HTTP/1.1, Connection "").
Both proxies buffer (their default) and log nothing. The app server runs
on the proxies' core (core 0): each proxy pays for the same upstream.
Rows: GET, and POST with a small form body (the proxy then writes the
request's head and body to the app server: the case a missing TCP_NODELAY
upstream once slowed to 40 ms a request).
"""

from benchlib import Row, Server, our_proxy, real_nginx

TITLE = "stage4-reverse-proxy vs nginx, in front of the same stage3 (async, one worker)"

rows = [
    Row("10 connections, keep-alive", connections=10),
    Row("POST 30 bytes, 10 conns", connections=10, body="name=Ann&message=Hello+there%21"),
]

upstream = None  # set by support(): the app server both proxies share


def support(context):
    global upstream
    upstream = Server("stage3 async (upstream)", [context.binary("stage3-prefork-server"),
                                                  "hello_world:process_http_request", "-w", "1", "-k", "async",
                                                  "--keep-alive", "75", "-b", "127.0.0.1:{port}"])
    return [upstream]


def servers(context):
    return [
        our_proxy("stage4-reverse-proxy", context.binary("stage4-reverse-proxy"),
                  lambda port: f"""    upstream app {{ server 127.0.0.1:{upstream.port}; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{ proxy_pass http://app; }}
    }}"""),
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
