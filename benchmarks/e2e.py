#!/usr/bin/env python3
"""End-to-end: wrk against real servers on 127.0.0.1, WolfPy vs a bare callable.

    python benchmarks/e2e.py                  # 4 servers x (1 s warm-up + 4 rounds x 3 s): ~1 minute
    python benchmarks/e2e.py --quick          # 1 round of 2 s (~15 s)
    python benchmarks/e2e.py --duration 10 --rounds 3 --connections 8 --out /tmp/e2e.md

Servers (each one process, one worker, access log off):
  - uvicorn (httptools, uvloop when installed) serving WolfPy's ASGI app (async handlers)
    and the bare ASGI callable ``apps:bare_asgi``;
  - gunicorn (sync worker) serving WolfPy's WSGI app (sync handlers) and the bare WSGI
    callable ``apps:bare_wsgi``.
All four start at once (idle servers cost nothing); wrk then measures them in rounds on
the plaintext route ``GET /``, each WolfPy server right beside its bare twin, so drift in
machine load hits both sides of a ratio alike. On a machine with
two or more cores wrk is pinned to the first core and the servers to the last (taskset).
Traffic goes to 127.0.0.1 only; every run is bounded by ``--duration`` and a timeout.
Needs: wrk (``apt-get install -y wrk``), uvicorn, httptools, gunicorn.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for p in (str(HERE), str(REPO)):
    if p not in sys.path:
        sys.path.insert(0, p)

import apps  # noqa: E402
from run import cpu_model  # noqa: E402

HOST = "127.0.0.1"  # loopback only, never anything else


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def cpus() -> tuple[list[str], list[str]]:
    """(prefix for wrk, prefix for the servers): taskset pins when there are 2+ cores."""
    if not shutil.which("taskset") or not hasattr(os, "sched_getaffinity"):
        return [], []
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return [], []
    return ["taskset", "-c", str(cores[0])], ["taskset", "-c", str(cores[-1])]


class Server:
    def __init__(self, label: str, kind: str, target: str, env: dict[str, str], prefix: list[str],
                 logdir: Path) -> None:
        self.label, self.kind, self.target = label, kind, target
        self.port = free_port()
        self.env = env
        self.prefix = prefix
        self.log_path = logdir / f"{label.replace(' ', '_').replace('+', '')}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def command(self) -> list[str]:
        py = sys.executable
        if self.kind == "uvicorn":
            return [*self.prefix, py, "-m", "uvicorn", self.target, "--host", HOST, "--port", str(self.port),
                    "--workers", "1", "--http", "httptools", "--loop", "auto", "--lifespan", "on",
                    "--no-access-log", "--log-level", "warning"]
        cmd = [*self.prefix, py, "-m", "gunicorn", self.target, "--bind", f"{HOST}:{self.port}",
               "--workers", "1", "--worker-class", "sync", "--log-level", "warning"]
        if _gunicorn_has_control_socket():
            cmd.append("--no-control-socket")
        return cmd

    def start(self) -> None:
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.command(), env=self.env, cwd=str(HERE), stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 30.0) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} exited ({self.proc.returncode}):\n{self.output()}")
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                conn.request("GET", "/")
                resp = conn.getresponse()
                body = resp.read()
                if resp.status == 200 and body == apps.HELLO_BYTES:
                    return
                last = f"answered {resp.status} {body[:80]!r}"
            except OSError as exc:
                last = str(exc)
            finally:
                conn.close()
            time.sleep(0.1)
        raise RuntimeError(f"{self.label} not ready in {timeout}s ({last}):\n{self.output()}")

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        proc = self.proc
        if proc is not None:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)  # our own session: master and its worker
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait(5)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None


_CONTROL: bool | None = None


def _gunicorn_has_control_socket() -> bool:
    global _CONTROL
    if _CONTROL is None:
        out = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True,
                             text=True, timeout=30).stdout
        _CONTROL = "--no-control-socket" in out
    return _CONTROL


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_LATENCY = re.compile(r"Latency\s+([\d.]+\w+)")


def wrk(server: Server, duration: float, connections: int, prefix: list[str]) -> dict[str, Any]:
    cmd = [*prefix, "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "2s",
           f"http://{HOST}:{server.port}/"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30).stdout
    m = _RPS.search(out)
    if not m:
        raise RuntimeError(f"wrk printed no Requests/sec for {server.label}:\n{out}")
    errors = _ERRORS.search(out)
    non2xx = _NON2XX.search(out)
    latency = _LATENCY.search(out)
    return {
        "rps": float(m.group(1)),
        "errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "latency": latency.group(1) if latency else "?",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 round of 2 s per server")
    ap.add_argument("--duration", type=float, help="seconds per wrk run (default 3; quick 2)")
    ap.add_argument("--rounds", type=int, help="wrk runs per server, interleaved (default 4; quick 1)")
    ap.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    ap.add_argument("--only", choices=["uvicorn", "gunicorn"], help="one server kind only")
    ap.add_argument("--out", type=Path, help="also write the Markdown report here")
    args = ap.parse_args(argv)
    duration = args.duration or (2.0 if args.quick else 3.0)
    rounds = args.rounds or (1 if args.quick else 4)

    missing = [tool for tool, ok in (("wrk", shutil.which("wrk")),
                                     ("uvicorn", _importable("uvicorn")),
                                     ("httptools", _importable("httptools")),
                                     ("gunicorn", _importable("gunicorn"))) if not ok]
    if missing:
        print(f"e2e skipped: missing {', '.join(missing)} "
              "(apt-get install -y wrk; pip install uvicorn httptools gunicorn)")
        return 0
    wrk_prefix, server_prefix = cpus()
    ws = apps.Workspace()
    servers: list[Server] = []
    started = time.monotonic()
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("WOLFPY_")}
        base_env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(HERE)] +
                                                 ([base_env["PYTHONPATH"]] if base_env.get("PYTHONPATH") else []))
        base_env["PYTHONUNBUFFERED"] = "1"
        sync_project = apps.write_core_project(ws, is_async=False)
        async_project = apps.write_core_project(ws, is_async=True)
        specs = []
        if args.only in (None, "uvicorn"):
            specs += [("uvicorn + WolfPy", "uvicorn", "wolfpy.asgi:application", {"WOLFPY_PROJECT": str(async_project)}),
                      ("uvicorn + bare ASGI", "uvicorn", "apps:bare_asgi", {})]
        if args.only in (None, "gunicorn"):
            specs += [("gunicorn + WolfPy", "gunicorn", "wolfpy.wsgi:application", {"WOLFPY_PROJECT": str(sync_project)}),
                      ("gunicorn + bare WSGI", "gunicorn", "apps:bare_wsgi", {})]
        for label, kind, target, extra in specs:
            servers.append(Server(label, kind, target, {**base_env, **extra}, server_prefix, ws.root))
        for s in servers:
            s.start()
        for s in servers:
            s.wait_ready()
        print(f"servers ready; wrk -t1 -c{args.connections}, {rounds} round(s) of {duration:.0f} s, "
              f"pinning: wrk {' '.join(wrk_prefix) or 'none'}, servers {' '.join(server_prefix) or 'none'}",
              file=sys.stderr, flush=True)
        for s in servers:  # warm-up, discarded
            wrk(s, 1, args.connections, wrk_prefix)
        results: dict[str, list[dict[str, Any]]] = {s.label: [] for s in servers}
        pairs = [servers[i:i + 2] for i in range(0, len(servers), 2)]  # (WolfPy, bare) per server kind
        for r in range(rounds):
            # A WolfPy run and its bare twin always run back to back (their per-round ratio
            # sees the same machine load); which goes first alternates, and so do the kinds.
            order = [s for pair in (pairs if r % 2 == 0 else pairs[::-1])
                     for s in (pair if r % 2 == 0 else pair[::-1])]
            for s in order:
                res = wrk(s, duration, args.connections, wrk_prefix)
                results[s.label].append(res)
                print(f"round {r + 1}: {s.label:<22} {res['rps']:>10,.0f} req/s  latency {res['latency']}"
                      + (f"  errors {res['errors']}" if res["errors"] else "")
                      + (f"  non-2xx {res['non2xx']}" if res["non2xx"] else ""), file=sys.stderr, flush=True)
        for s in servers:
            if s.proc is not None and s.proc.poll() is not None:
                raise RuntimeError(f"{s.label} died during the run:\n{s.output()}")
    finally:
        for s in servers:
            s.stop()
        ws.cleanup()

    med = {label: statistics.median(r["rps"] for r in rs) for label, rs in results.items()}
    ratios: dict[str, float] = {}
    for kind, bare in (("uvicorn", "uvicorn + bare ASGI"), ("gunicorn", "gunicorn + bare WSGI")):
        wolf = f"{kind} + WolfPy"
        if results.get(wolf) and results.get(bare):
            ratios[kind] = statistics.median(w["rps"] / b["rps"] for w, b in zip(results[wolf], results[bare]))
    lines = ["# WolfPy end-to-end (wrk)", "",
             f"- date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
             f"- Python {sys.version.split()[0]}; CPU: {cpu_model()}; cores: {os.cpu_count()}",
             f"- wrk -t1 -c{args.connections}, {rounds} round(s) of {duration:.0f} s per server after a 1 s "
             f"warm-up, interleaved; pinning: wrk `{' '.join(wrk_prefix) or 'none'}`, servers "
             f"`{' '.join(server_prefix) or 'none'}`; `GET /` → \"Hello, World!\"",
             "- uvicorn: 1 worker, httptools, `--loop auto`, no access log; gunicorn: 1 sync worker "
             "(no keep-alive: one connection per request)",
             f"- wall time {time.monotonic() - started:.0f} s", "",
             "| server | req/s (median) | per round | errors | non-2xx |", "|---|---:|---|---:|---:|"]
    for label, rs in results.items():
        lines.append(f"| {label} | {med[label]:,.0f} | " + ", ".join(f"{r['rps']:,.0f}" for r in rs)
                     + f" | {sum(r['errors'] for r in rs)} | {sum(r['non2xx'] for r in rs)} |")
    lines += ["", "Ratio: the median over the rounds of WolfPy ÷ bare, each pair measured back to back.",
              "", "| ratio | measured | target | |", "|---|---:|---:|---|"]
    for kind, target in (("uvicorn", 0.80), ("gunicorn", 0.85)):
        if kind in ratios:
            ratio = ratios[kind]
            lines.append(f"| {kind}: WolfPy ÷ bare | {ratio:.2f}× | ≥ {target:.2f}× | "
                         f"{'PASS' if ratio >= target else 'FAIL'} |")
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.write_text(report + "\n")
    return 0


def _importable(name: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    sys.exit(main())
