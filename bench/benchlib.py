"""The benchmark runner's machinery: start a server pinned to one core, run
wrk pinned to the other, take the median of several runs, print ratios.

A scenario (bench/scenarios/NAME.py) defines `servers(context)`, the
servers to compare (ours first, then the real ones), and `rows`, the load
shapes; bench/run does the rest. Benchmarks are not tests: nothing here
passes or fails, it measures.
"""

import atexit
import csv
import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

SERVER_CORE = "0"
CLIENT_CORE = "1"


# The repository's root folder (for scripts/).
HERE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def temporary_folder(prefix):
    """A new folder under /tmp for this run's files (configs, logs, the
    files served), removed when the run ends."""
    folder = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def pinned(core, command):
    """Prefixes `command` with taskset when there are cores to pin to."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", core] + command
    return command


@dataclass
class Server:
    """One server under test: `command` must listen on 127.0.0.1:{port}."""
    name: str
    command: list
    path: str = "/"
    headers: list = field(default_factory=list)
    setup: object = None          # setup(port): writes a config file, say, before the start
    scheme: str = "http"          # "https": wrk speaks TLS to it
    process: subprocess.Popen = None
    port: int = 0

    def start(self):
        self.port = free_port()
        if self.setup:
            self.setup(self.port)
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        self.process = subprocess.Popen(pinned(SERVER_CORE, command), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for_port(self.port, self.process)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}{self.path}"


@dataclass
class Row:
    """A load shape: how many connections, extra request headers, and the
    path to ask for when it is not the server's own."""
    name: str
    connections: int = 1
    headers: list = field(default_factory=list)
    path: str = None
    body: str = None   # sent with POST when given


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def to_milliseconds(text):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(server, row, seconds):
    command = ["wrk", "-t1", f"-c{row.connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for header in server.headers + row.headers:
        command += ["-H", header]
    if row.body is not None:
        command += ["-s", post_script(row.body)]
    url = server.url() if row.path is None else f"{server.scheme}://127.0.0.1:{server.port}{row.path}"
    output = subprocess.run(pinned(CLIENT_CORE, command + [url]), capture_output=True, text=True,
                            timeout=seconds + 30).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (rate and p50 and p99):
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return Result(float(rate.group(1)), to_milliseconds(p50.group(1)), to_milliseconds(p99.group(1)), errors)


def post_script(body):
    """A wrk script (Lua) that sends `body` with POST."""
    folder = temporary_folder("webstack-bench-wrk-")
    path = os.path.join(folder, "post.lua")
    with open(path, "w") as script:
        script.write(f'wrk.method = "POST"\nwrk.body = {body!r}\n'
                     'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
    return path


def median_result(results):
    return Result(statistics.median(r.requests_per_second for r in results),
                  statistics.median(r.p50_ms for r in results),
                  statistics.median(r.p99_ms for r in results),
                  sum(r.errors for r in results))


def measure(servers, rows, seconds, runs, log=print, warm_up=True):
    """Runs every row against every server, alternating servers between runs
    so that a noisy moment does not land on one server only."""
    table = {}
    for row in rows:
        for server in servers if warm_up else []:
            run_wrk(server, row, 1)  # warm up: caches, connections, CPU frequency
        samples = {server.name: [] for server in servers}
        for run in range(runs):
            for server in servers:
                samples[server.name].append(run_wrk(server, row, seconds))
                log(f"  {row.name:<28} {server.name:<28} run {run + 1}/{runs}: "
                    f"{samples[server.name][-1].requests_per_second:,.0f} req/s")
        table[row.name] = {name: median_result(results) for name, results in samples.items()}
    return table


def ratio_pairs(servers, ratios=None):
    """ratios: (ours, theirs) pairs to print; default: the first server
    against each of the others."""
    return ratios or [(servers[0].name, server.name) for server in servers[1:]]


def ratio_lines(servers, rows, table, ratios=None):
    """(ratio, "row: ours / theirs: 1.23x") for every row and pair that has one."""
    lines = []
    for row in rows:
        for mine_name, theirs_name in ratio_pairs(servers, ratios):
            mine, theirs = table[row.name][mine_name], table[row.name][theirs_name]
            if theirs.requests_per_second:
                ratio = mine.requests_per_second / theirs.requests_per_second
                lines.append((ratio, f"{row.name}: {mine_name} / {theirs_name}: {ratio:.2f}x"))
            else:
                lines.append((float("inf"), f"{row.name}: {mine_name} / {theirs_name}: no ratio, "
                                            f"{theirs_name} served nothing"))
    return lines


def format_table(title, servers, rows, table, ratios=None):
    pairs = ratio_pairs(servers, ratios)
    lines = [title, ""]
    width = max([28] + [len(server.name) for server in servers])
    lines.append(f"{'load':<28} {'server':<{width}} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    for row in rows:
        for server in servers:
            r = table[row.name][server.name]
            lines.append(f"{row.name:<28} {server.name:<{width}} {r.requests_per_second:>10,.0f} "
                         f"{r.p50_ms:>9.3f} {r.p99_ms:>9.3f} {r.errors:>7}")
        for mine_name, theirs_name in pairs:
            mine, theirs = table[row.name][mine_name], table[row.name][theirs_name]
            if theirs.requests_per_second:
                ratio = mine.requests_per_second / theirs.requests_per_second
                lines.append(f"{'':<28} ratio {mine_name} / {theirs_name}: {ratio:.2f}x requests/s")
            else:
                lines.append(f"{'':<28} ratio {mine_name} / {theirs_name}: no ratio, {theirs_name} served nothing")
        lines.append("")
    return "\n".join(lines)


# The columns of bench/results/SCENARIO.csv, one line per row and server.
CSV_COLUMNS = ["scenario", "load", "server", "requests_per_second", "p50_ms", "p99_ms", "errors"]


def format_csv(scenario_name, servers, rows, table):
    """The table as CSV, for scripts (docs/figures draws from it): a header
    line, then one line per row and server, in the table's order; numbers
    without thousands separators, fields with a comma quoted."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        for server in servers:
            r = table[row.name][server.name]
            writer.writerow([scenario_name, row.name, server.name, f"{r.requests_per_second:.2f}",
                             f"{r.p50_ms:.3f}", f"{r.p99_ms:.3f}", r.errors])
    return output.getvalue()


def require_tools(*tools):
    missing = [tool for tool in tools if not shutil.which(tool)]
    if missing:
        sys.exit(f"bench: missing {', '.join(missing)}: run scripts/install-deps")


def real_nginx(name, http_contents):
    """Debian's nginx, one worker, in the foreground, with everything it
    writes kept in a folder of its own. `http_contents(port)` returns what
    goes inside `http { }` once the port is known."""
    prefix = temporary_folder("webstack-bench-nginx-")

    def write_config(port):
        with open(os.path.join(prefix, "nginx.conf"), "w") as config:
            config.write(f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
{http_contents(port)}
}}
""")

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return Server(name, [nginx, "-p", prefix, "-c", os.path.join(prefix, "nginx.conf")], setup=write_config)


def our_proxy(name, binary, http_contents):
    """One of our nginx-like stages (stage4-reverse-proxy, stage5-static-files),
    one worker process, no access log, with a config in a folder of its
    own. `http_contents(port)` returns what goes inside `http { }`."""
    prefix = temporary_folder("webstack-bench-ours-")

    def write_config(port):
        with open(os.path.join(prefix, "nginx.conf"), "w") as config:
            config.write(f"""worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{http_contents(port)}
}}
""")

    return Server(name, [binary, "-c", os.path.join(prefix, "nginx.conf")], setup=write_config)
