#!/usr/bin/env python3
"""The TechEmpower test types, WolfPy vs Django, Flask and FastAPI, on PostgreSQL, driven by wrk.

    python benchmarks/tfb/run.py                         # everything: ~17 minutes on 2 cores
    python benchmarks/tfb/run.py --quick                 # 1 round of 2 s, no warm-up
    python benchmarks/tfb/run.py --frameworks wolfpy --tests fortunes,db --out /tmp/tfb.md

Starts every server (see servers.py) on its own port of 127.0.0.1, checks every answer
against the rules (verify.py), then runs wrk on each (server, test) cell in interleaved
rounds, the order rotated every round, and writes a Markdown report (RESULTS.md).
Needs wrk (``apt-get install -y wrk``), gunicorn, uvicorn, and PostgreSQL at
``WOLFPY_TEST_POSTGRES_URL`` (or ``--database-url``); the peers are the ``bench`` extra.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import data  # noqa: E402
import report  # noqa: E402
import servers as srv  # noqa: E402
from verify import PATHS, TESTS, verify  # noqa: E402

_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_TOTAL = re.compile(r"(\d+) requests in")


def wrk(url: str, duration: float, connections: int, threads: int) -> dict[str, Any]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "5s",
           "-H", "Accept: */*", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    m = _RPS.search(out)
    if not m:
        raise RuntimeError(f"wrk printed no Requests/sec for {url}:\n{out}")
    errors = _ERRORS.search(out)
    non2xx = _NON2XX.search(out)
    total = _TOTAL.search(out)
    return {"rps": float(m.group(1)),
            "errors": sum(int(g) for g in errors.groups()) if errors else 0,
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "total": int(total.group(1)) if total else 0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 round of 2 s per cell, no warm-up")
    ap.add_argument("--tests", default=",".join(TESTS), help=f"comma-separated, from {','.join(TESTS)}")
    ap.add_argument("--frameworks", default=",".join(srv.FRAMEWORKS),
                    help=f"comma-separated, from {','.join(srv.FRAMEWORKS)}")
    ap.add_argument("--servers", default="gunicorn,uvicorn,prod",
                    help="from gunicorn (WSGI), uvicorn (ASGI), prod (WolfPy as `wolfpy serve --prod` runs it: "
                         "gunicorn with uvicorn workers); default all three")
    ap.add_argument("--duration", type=float, help="seconds per wrk run (default 4; quick 2)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default 5; quick 1)")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    ap.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread",
                    help="gunicorn worker class (default gthread: threads and keep-alive)")
    ap.add_argument("--database-url", help="PostgreSQL server URL (default $WOLFPY_TEST_POSTGRES_URL)")
    ap.add_argument("--database-name", default=data.DB_NAME,
                    help=f"the benchmark's own database, created and filled when missing (default {data.DB_NAME})")
    ap.add_argument("--out", type=Path, help="write the Markdown report here")
    args = ap.parse_args(argv)
    tests = [t.strip() for t in args.tests.split(",") if t.strip()]
    frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    kinds = tuple(s.strip() for s in args.servers.split(",") if s.strip())
    bad = [t for t in tests if t not in TESTS] + [f for f in frameworks if f not in srv.FRAMEWORKS] + \
        [k for k in kinds if k not in ("gunicorn", "uvicorn", "prod")]
    if bad:
        print(f"error: unknown test, framework or server: {', '.join(bad)}", file=sys.stderr)
        return 2
    srv.WORKER_CLASS = args.worker_class
    if "prod" in kinds and not srv.importable("uvicorn_worker"):
        print("serve --prod skipped: uvicorn-worker not installed")
        kinds = tuple(k for k in kinds if k != "prod")
    duration = args.duration or (2.0 if args.quick else 4.0)
    rounds = args.rounds or (1 if args.quick else 5)

    missing = [tool for tool, ok in (("wrk (apt-get install -y wrk)", shutil.which("wrk")),
                                     ("gunicorn", srv.importable("gunicorn")),
                                     ("uvicorn", srv.importable("uvicorn")),
                                     ("httptools", srv.importable("httptools")),
                                     ("uvloop", srv.importable("uvloop")),
                                     ("psycopg2", srv.importable("psycopg2"))) if not ok]
    if missing:
        print(f"tfb skipped: missing {', '.join(missing)}")
        return 0
    server_url = args.database_url or os.environ.get("WOLFPY_TEST_POSTGRES_URL")
    if not server_url:
        print("tfb skipped: no PostgreSQL (set WOLFPY_TEST_POSTGRES_URL or pass --database-url)")
        return 0
    for fw in list(frameworks):
        gone = srv.missing_modules(fw)
        if gone:
            print(f"{fw} skipped: {', '.join(gone)} not installed (pip install -e '.[bench]')")
            frameworks.remove(fw)
    started = time.monotonic()
    database_url = data.ensure_database(server_url, args.database_name)
    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="wolfpy-tfb-"))
    servers: list[srv.Server] = []
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    failures: dict[tuple[str, str], str] = {}
    try:
        servers = srv.make_servers(frameworks, database_url, workdir, kinds)
        for s in servers:
            s.start(workdir)
        for s in servers:
            s.wait_ready()
        log(f"{len(servers)} servers ready; verifying {len(tests)} test(s)")
        for s in servers:
            for t in tests:
                problem = verify(s.url, t, database_url)
                if problem:
                    failures[(s.key, t)] = problem
                    log(f"FAILED  {s.key:<34} {t:<10} {problem}")
        cells = [(s, t) for t in tests for s in servers if (s.key, t) not in failures]
        log(f"{len(cells)} cell(s) pass; wrk -t1 -c{args.connections}, {rounds} round(s) of {duration:.0f} s")
        if not args.quick:
            for s, t in cells:  # warm-up, discarded
                wrk(s.url + PATHS[t], 1, args.connections, 1)
        for r in range(rounds):
            for t in tests:
                row = [s for s in servers if (s.key, t) not in failures]
                k = r % len(row) if row else 0
                for s in row[k:] + row[:k]:  # rotated every round
                    res = wrk(s.url + PATHS[t], duration, args.connections, 1)
                    results.setdefault((s.key, t), []).append(res)
                    log(f"round {r + 1}: {t:<10} {s.key:<34} {res['rps']:>9,.0f} req/s"
                        + (f"  errors {res['errors']}" if res["errors"] else "")
                        + (f"  non-2xx {res['non2xx']}" if res["non2xx"] else ""))
        for s in servers:
            if not s.alive():
                raise RuntimeError(f"{s.key} died during the run:\n{s.output()}")
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    meta = {"duration": duration, "rounds": rounds, "connections": args.connections, "quick": args.quick,
            "load_before": load_before, "load_after": os.getloadavg(),
            "wall": time.monotonic() - started, "database_url": database_url}
    text = report.render(servers, tests, results, failures, meta)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    wolf_failed = any(k.startswith("WolfPy") for k, _ in failures)
    return 1 if wolf_failed else 0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
