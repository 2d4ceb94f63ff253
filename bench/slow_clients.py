#!/usr/bin/env python3
"""Slow clients, for the stage4-slow-clients benchmark: N connections to
127.0.0.1:PORT, each sending a request body one byte every 100 ms, for
ever (reconnecting when the server closes). Runs until killed.

    bench/slow_clients.py PORT N
"""

import socket
import sys
import threading
import time

HEAD = b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n"


def trickle(port):
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                connection.sendall(HEAD)
                while True:
                    connection.sendall(b"x")
                    time.sleep(0.1)
        except OSError:
            time.sleep(0.1)  # not listening yet, or the server gave up on us: again


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    for _ in range(count):
        threading.Thread(target=trickle, args=(port,), daemon=True).start()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
