#!/usr/bin/env python3
"""Where a WolfPy gunicorn worker spends its time on a TechEmpower test: cProfile inside the worker.

    python benchmarks/tfb/profile_worker.py                       # fortunes, db, updates; default middleware
    python benchmarks/tfb/profile_worker.py --tests fortunes --middleware none --duration 20 --top 15

For each test: one gunicorn (1 ``gthread`` worker, 1 thread, the WolfPy project of the
comparison) profiled by ``gunicorn_profile.py``, driven by ``wrk -c4`` for ``--duration``
seconds, then stopped; prints the top functions by own time (their share of all
profiled time) and the time per area (WolfPy, peewee, psycopg2, Mako, gunicorn, ...).
The default timer is the wall clock, minus the time threads park on locks, queues and
poll (so a worker's wait for PostgreSQL's answer shows as psycopg2's ``execute``);
``--timer cpu`` counts each thread's CPU time instead, at the price of a Python call per
profiler event (far slower, flatter). cProfile inflates the cost of small Python
functions: read the shares, not the absolute times.
"""
from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import data  # noqa: E402
import servers as srv  # noqa: E402
from verify import PATHS, verify  # noqa: E402

AREAS = [("/wolfpy/", "wolfpy"), ("peewee", "peewee"), ("playhouse", "peewee"), ("psycopg2", "psycopg2"),
         ("/mako/", "mako"), ("/gunicorn/", "gunicorn"), ("orjson", "orjson"), ("/markupsafe/", "markupsafe")]


def area(func: tuple[str, int, str]) -> str:
    filename, _, name = func
    text = filename + " " + name
    for needle, label in AREAS:
        if needle in text:
            return label
    if filename.startswith("/tmp") or "_html" in filename or "memory:" in filename:
        return "project (routes, models, templates)"
    if filename == "~":
        return "builtins (C)"
    return "stdlib"


def describe(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    parts = Path(filename).parts
    for anchor in ("wolfpy", "gunicorn", "mako", "playhouse"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return f"{'/'.join(parts[i:])}:{line}({name})"
    return f"{Path(filename).name}:{line}({name})"


# Waiting, not working: a thread parked on a lock or a queue, the main thread's poll.
IDLE = ("<method 'acquire' of '_thread.lock' objects>", "<method 'poll' of 'select.epoll' objects>",
        "<method 'poll' of 'select.poll' objects>", "<built-in method select.select>",
        "<method 'get' of '_queue.SimpleQueue' objects>", "<built-in method time.sleep>")


def summarize(prof: Path, top: int) -> list[str]:
    stats = pstats.Stats(str(prof))
    rows = {f: v for f, v in stats.stats.items() if f[2] not in IDLE}  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in rows.values()) or 1e-9
    lines = [f"profiled time {total:.2f} s (waits on locks, queues and poll left out)", "", f"top {top} functions by own time:",
             f"{'share':>7} {'own s':>7} {'calls':>9}  function"]
    ranked = sorted(rows.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for func, (_, nc, tt, _, _) in ranked:
        lines.append(f"{100 * tt / total:6.1f}% {tt:7.2f} {nc:9d}  {describe(func)}")
    by_area: dict[str, float] = {}
    for func, (_, _, tt, _, callers) in rows.items():
        # A C function's time goes to its own area when it has one (psycopg2, orjson), else
        # to the areas of its callers, in proportion: socket writes under gunicorn are gunicorn's.
        own = area(func)
        if own != "builtins (C)" or not callers:
            by_area[own] = by_area.get(own, 0.0) + tt
            continue
        for caller, (_, _, ctt, _) in callers.items():
            by_area[area(caller)] = by_area.get(area(caller), 0.0) + ctt
    lines += ["", "own time per area (C functions counted in their caller's area):"]
    for name, tt in sorted(by_area.items(), key=lambda kv: kv[1], reverse=True):
        lines.append(f"{100 * tt / total:6.1f}%  {name}")
    # A loop that parks on a queue or lock (a background thread's run loop) would count its
    # waits in its cumulative time: leave such functions out of this list.
    parks = {c for f, v in stats.stats.items() if f[2] in IDLE for c in v[4]}  # type: ignore[attr-defined]
    wolf = sorted(((f, v[3]) for f, v in rows.items() if area(f) == "wolfpy" and f not in parks),
                  key=lambda kv: kv[1], reverse=True)
    lines += ["", f"top {top} WolfPy functions by cumulative time (callees included; nested, so they overlap):"]
    for func, ct in wolf[:top]:
        lines.append(f"{100 * ct / total:6.1f}%  {describe(func)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tests", default="fortunes,db,updates")
    ap.add_argument("--middleware", choices=["default", "none"], default="default")
    ap.add_argument("--duration", type=int, default=15, help="seconds of wrk per test (default 15)")
    ap.add_argument("--timer", choices=["wall", "cpu"], default="wall")
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1, help="gthread threads of the worker (default 1)")
    ap.add_argument("--keep", type=Path, help="copy the .prof files into this folder")
    args = ap.parse_args(argv)
    if not shutil.which("wrk"):
        print("profile skipped: missing wrk (apt-get install -y wrk)")
        return 0
    server_url = os.environ.get("WOLFPY_TEST_POSTGRES_URL")
    if not server_url:
        print("profile skipped: no PostgreSQL (set WOLFPY_TEST_POSTGRES_URL)")
        return 0
    database_url = data.ensure_database(server_url)
    srv.WORKERS = 1
    srv.THREADS = args.threads
    for test in [t.strip() for t in args.tests.split(",") if t.strip()]:
        workdir = Path(tempfile.mkdtemp(prefix="wolfpy-tfb-prof-"))
        (workdir / "prof").mkdir()
        try:
            s = next(x for x in srv.make_servers(["wolfpy"], database_url, workdir, ("gunicorn",))
                     if x.middleware == args.middleware)
            s.env = {**s.env, "TFB_PROFILE_DIR": str(workdir / "prof"), "TFB_PROFILE_TIMER": args.timer}
            s.extra_args = ["-c", str(HERE / "gunicorn_profile.py")]
            s.start(workdir)
            try:
                s.wait_ready()
                problem = verify(s.url, test, database_url)
                if problem:
                    print(f"{test}: verification failed, not profiled: {problem}")
                    continue
                out = subprocess.run(["wrk", "-t1", "-c4", f"-d{args.duration}s", s.url + PATHS[test]],
                                     capture_output=True, text=True, timeout=args.duration + 60).stdout
                rps = next((ln.split()[-1] for ln in out.splitlines() if ln.startswith("Requests/sec")), "?")
            finally:
                s.stop()
            profs = sorted((workdir / "prof").glob("*.prof"))
            if not profs:
                print(f"{test}: the worker wrote no profile:\n{s.output()}")
                continue
            print(f"\n## {test} (`{PATHS[test]}`), WolfPy {args.middleware} middleware, gunicorn gthread "
                  f"1 worker x {srv.THREADS} threads, wrk -c4 {args.duration} s: {rps} req/s under the "
                  f"profiler; timer: {args.timer}\n")
            print("\n".join(summarize(profs[0], args.top)))
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(profs[0], args.keep / f"{test}-{args.middleware}.prof")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
