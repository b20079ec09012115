"""Edit → first response under ``wolfpy serve``: how long a route edit takes to be served.

    python benchmarks/reload.py [--edits 15] [--routes 0] [--base /path/to/old/checkout]

Makes a project with ``wolfpy new``, starts ``wolfpy serve`` on it (the reloading dev
server) and edits ``routes/bench.py`` ``--edits`` times, each time changing the text its
``get`` returns. Per edit, the time runs from just before the file is written to the
first HTTP response that carries the new text, polling ``GET /bench`` every 5 ms. The
median and p90 are printed. ``--routes N`` adds N more route files to the project (as
``benchmarks/load.py`` makes them), for the cost of a reload in a large project.

With ``--base``, a second server runs the same project under that checkout (its own
copy, its own port; ``PYTHONPATH`` = that checkout) and the edits alternate between the
two servers, so load from anything else on the machine falls on both alike; the table
then gives both and the ratio (base ÷ this checkout).
"""
from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
POLL = 0.005
ROUTE = 'def get(request):\n    return "{marker}"\n'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


class DevServer:
    """``wolfpy serve`` of one checkout on its own copy of the project."""

    def __init__(self, label: str, checkout: Path, parent: Path, routes: int) -> None:
        self.label = label
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WOLFPY_")}
        self.env.update(PYTHONPATH=str(checkout), PYTHONUNBUFFERED="1", WOLFPY_APP_ALLOWED_HOSTS=HOST)
        cli = [sys.executable, "-c", "from wolfpy.cli.main import main; main()"]
        subprocess.run([*cli, "new", label], cwd=parent, env=self.env, check=True, capture_output=True)
        self.project = parent / label
        self.route = self.project / "routes" / "bench.py"
        self.route.write_text(ROUTE.format(marker="start"))
        for i in range(routes):
            folder = self.project / "routes" / f"section{i % 20}" / f"page{i}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "[id].py").write_text(f"def get(request, id: int):\n    return {{'page': {i}, 'id': id}}\n\n\n"
                                            f"async def post(request, id: int):\n    return {{'created': {i}}}\n")
        self.port = _free_port()
        self.log = open(parent / f"{label}.log", "wb")
        self.proc = subprocess.Popen([*cli, "serve", "--port", str(self.port)], cwd=self.project, env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        self.times: list[float] = []

    def wait_for(self, marker: str, timeout: float = 30.0) -> float:
        start = time.perf_counter()
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.label}: wolfpy serve exited; see {self.log.name}")
            try:
                status, text = _get(self.port, "/bench")
                if status == 200 and marker in text:
                    return time.perf_counter() - start
            except OSError:
                pass
            if time.perf_counter() - start > timeout:
                raise SystemExit(f"{self.label}: {marker!r} not served within {timeout}s")
            time.sleep(POLL)

    def edit(self, n: int) -> None:
        marker = f"edit-{n}-{self.label}"
        start = time.perf_counter()
        self.route.write_text(ROUTE.format(marker=marker))
        self.wait_for(marker)
        self.times.append(time.perf_counter() - start)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--routes", type=int, default=0, help="extra route files in the project")
    parser.add_argument("--base", type=Path, help="an older checkout to compare with, interleaved")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds between edits")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wolfpy-reload-") as tmp:
        servers = [DevServer("this", ROOT, Path(tmp), args.routes)]
        if args.base is not None:
            servers.append(DevServer("base", args.base.resolve(), Path(tmp), args.routes))
        try:
            for server in servers:
                server.wait_for("start", timeout=120)
            time.sleep(args.settle)
            for n in range(args.edits):
                for server in servers if n % 2 == 0 else servers[::-1]:
                    server.edit(n)
                    time.sleep(args.settle)  # the watcher and any restart settle before the next edit
        finally:
            for server in servers:
                server.stop()
    print(f"| checkout | edits | median | p90 |\n|---|---:|---:|---:|")
    for server in servers:
        print(f"| {server.label} | {len(server.times)} | {statistics.median(server.times) * 1000:.0f} ms "
              f"| {p90(server.times) * 1000:.0f} ms |")
    if len(servers) == 2:
        this, base = (statistics.median(s.times) for s in servers)
        print(f"\nbase ÷ this (medians): {base / this:.2f}×")


if __name__ == "__main__":
    main()
