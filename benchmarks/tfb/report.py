"""The Markdown report of a run: header, verification, req/s and ratios, targets."""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

import data
import servers as srv
from verify import PATHS

VARIANTS = {"wolfpy", "django"}  # frameworks measured with and without their default middleware
PACKAGES = ["wolfpy", "django", "flask", "fastapi", "starlette", "sqlalchemy", "peewee", "psycopg2-binary",
            "asyncpg", "jinja2", "mako", "gunicorn", "uvicorn", "httptools", "uvloop", "orjson"]


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def versions() -> str:
    out = []
    for name in PACKAGES:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join(out)


def postgres_version(url: str) -> str:
    try:
        conn = data.connect(url)
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW server_version")
                return str(cur.fetchone()[0])
        finally:
            conn.close()
    except Exception as exc:  # the header must not fail the run
        return f"unknown ({type(exc).__name__})"


def wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "wrk"


def peers(s: srv.Server, servers: list[srv.Server]) -> list[srv.Server]:
    """The other frameworks of ``s``'s class, in the same middleware variant where they have two."""
    return [p for p in servers if p.klass == s.klass and p.framework != s.framework
            and (p.framework not in VARIANTS or p.middleware == s.middleware)]


def ratio(a: list[dict[str, Any]], bs: list[list[dict[str, Any]]]) -> float | None:
    """Median over rounds of a's req/s ÷ the best of ``bs`` in the same round."""
    if not a or not bs or any(not b for b in bs):
        return None
    n = min(len(a), *(len(b) for b in bs))
    return statistics.median(a[r]["rps"] / max(b[r]["rps"] for b in bs) for r in range(n))


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}×"


def render(servers: list[srv.Server], tests: list[str], results: dict[tuple[str, str], list[dict[str, Any]]],
           failures: dict[tuple[str, str], str], meta: dict[str, Any]) -> str:
    by_key = {s.key: s for s in servers}
    med = {k: statistics.median(r["rps"] for r in rs) for k, rs in results.items() if rs}
    lb, la = meta["load_before"], meta["load_after"]
    lines = [
        "# TechEmpower test types: WolfPy vs Django, Flask, FastAPI (wrk, PostgreSQL)", "",
        f"- date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; wall time {meta['wall']:.0f} s"
        + (" (--quick)" if meta["quick"] else ""),
        f"- machine: {cpu_model()}; {os.cpu_count()} cores; {platform.system()} {platform.release()}",
        f"- load average (1, 5, 15 min): before {lb[0]:.2f}, {lb[1]:.2f}, {lb[2]:.2f}; "
        f"after {la[0]:.2f}, {la[1]:.2f}, {la[2]:.2f} (the machine is shared: other work ran too)",
        f"- Python {sys.version.split()[0]}; {versions()}",
        f"- PostgreSQL {postgres_version(meta['database_url'])} on 127.0.0.1 (database `{meta['database_url'].rsplit('/', 1)[-1]}`: "
        f"`world` {data.WORLD_ROWS:,} rows, `fortune` {len(data.FORTUNES)} rows)",
        f"- {wrk_version()}: `wrk -t1 -c{meta['connections']} -d{meta['duration']:.0f}s`, "
        f"{meta['rounds']} interleaved round(s) (the order of the servers rotated every round)"
        + ("" if meta["quick"] else ", after a 1 s warm-up per cell"),
        f"- servers: {srv.WORKERS} workers each; gunicorn "
        + (f"`gthread` with {srv.THREADS} threads per worker (keep-alive)" if srv.WORKER_CLASS == "gthread"
           else "`sync` (one connection per request)")
        + f", uvicorn with httptools and uvloop; connection pool {srv.POOL_SIZE} per worker where "
        "the framework sets one (Flask's SQLAlchemy, FastAPI's asyncpg), WolfPy's pool and Django's "
        "persistent connections open one per thread in use",
        "- URLs: " + ", ".join(f"{t} `{PATHS[t]}`" for t in tests),
        "- `serve --prod`: WolfPy served by the command `wolfpy serve --prod` runs: gunicorn with "
        f"`uvicorn_worker.UvicornWorker` workers ({srv.WORKERS}), in the ASGI class",
        "- `Server` and `Date` headers come from gunicorn and uvicorn for every framework", "",
        "## Verification", "",
        "Every answer is checked against the rules before it is timed; a failed cell is not timed.", "",
        "| server | " + " | ".join(tests) + " |", "|---|" + "---|" * len(tests)]
    for s in servers:
        lines.append(f"| {s.key} | " + " | ".join("FAIL" if (s.key, t) in failures else "pass" for t in tests) + " |")
    if failures:
        lines += ["", "Failures:", ""] + [f"- {k} / {t}: {why}" for (k, t), why in failures.items()]
    for klass in ("WSGI (gunicorn)", "ASGI (uvicorn)"):
        members = [s for s in servers if s.klass == klass]
        if not members:
            continue
        lines += ["", f"## {klass}", "",
                  "req/s, the median of the rounds; in brackets the ratio to the best peer of the class "
                  "(another framework, same middleware variant), the median of the per-round ratios.", "",
                  "| server | " + " | ".join(tests) + " |", "|---|" + "---:|" * len(tests)]
        for s in members:
            cells = []
            for t in tests:
                if (s.key, t) in failures:
                    cells.append("failed")
                elif (s.key, t) not in med:
                    cells.append("–")
                else:
                    others = [results.get((p.key, t), []) for p in peers(s, servers)]
                    r = ratio(results[(s.key, t)], [o for o in others if o]) if any(others) else None
                    errs = sum(x["errors"] + x["non2xx"] for x in results[(s.key, t)])
                    cells.append(f"{med[(s.key, t)]:,.0f} ({fmt(r)})" + (f" ⚠{errs} errors" if errs else ""))
            lines.append(f"| {s.key} | " + " | ".join(cells) + " |")
    lines += targets(servers, tests, results, by_key)
    return "\n".join(lines)


def _get(results: dict[tuple[str, str], list[dict[str, Any]]], key: str, test: str) -> list[dict[str, Any]]:
    return results.get((key, test), [])


def share(results: dict[tuple[str, str], list[dict[str, Any]]], fw: str, server: str, test: str) -> float | None:
    """Throughput with the default middleware ÷ without (median of per-round ratios)."""
    return ratio(_get(results, f"{fw} (default mw) / {server}", test), [_get(results, f"{fw} (no mw) / {server}", test)])


def targets(servers: list[srv.Server], tests: list[str], results: dict[tuple[str, str], list[dict[str, Any]]],
            by_key: dict[str, srv.Server]) -> list[str]:
    rows = []

    def add(what: str, value: float | None, target: float, vs: str = "≥") -> None:
        if value is None:
            rows.append(f"| {what} | – | {vs} {target:.2f}× | not measured |")
        else:
            rows.append(f"| {what} | {value:.2f}× | {vs} {target:.2f}× | {'PASS' if value >= target else 'FAIL'} |")

    wg, wu = "WolfPy (default mw) / gunicorn", "WolfPy (default mw) / uvicorn"
    wp = "WolfPy (default mw) / serve --prod"
    if "fortunes" in tests:
        add("fortunes, gunicorn, default mw: WolfPy ÷ Django",
            ratio(_get(results, wg, "fortunes"), [_get(results, "Django (default mw) / gunicorn", "fortunes")]), 1.5)
        add("fortunes, gunicorn: WolfPy (default mw) ÷ Flask",
            ratio(_get(results, wg, "fortunes"), [_get(results, "Flask / gunicorn", "fortunes")]), 1.4)
        add("fortunes, uvicorn: WolfPy (default mw) ÷ FastAPI",
            ratio(_get(results, wu, "fortunes"), [_get(results, "FastAPI / uvicorn", "fortunes")]), 1.5)
        if by_key.get(wp):
            add("fortunes, `wolfpy serve --prod`: WolfPy (default mw) ÷ FastAPI (uvicorn)",
                ratio(_get(results, wp, "fortunes"), [_get(results, "FastAPI / uvicorn", "fortunes")]), 1.5)
    for t in ("db", "updates"):
        if t not in tests:
            continue
        for key in (wg, wu, wp):
            s = by_key.get(key)
            if s is None:
                continue
            others = [_get(results, p.key, t) for p in peers(s, servers)]
            add(f"{t}, {s.server_name}: WolfPy (default mw) ÷ best peer",
                ratio(_get(results, key, t), [o for o in others if o]) if any(others) else None, 1.0)
    share_rows = []
    for t in tests:
        wolf, dj = share(results, "WolfPy", "gunicorn", t), share(results, "Django", "gunicorn", t)
        wolf_u = share(results, "WolfPy", "uvicorn", t)
        share_rows.append(f"| {t} | {fmt(wolf)} | {fmt(dj)} | {fmt(wolf_u)} |")
        if t == "fortunes" and wolf is not None and dj is not None:
            rows.append(f"| default middleware share, fortunes, gunicorn: WolfPy {wolf:.2f}× vs Django {dj:.2f}× "
                        f"| {wolf / dj:.2f}× | ≥ 1.00× | {'PASS' if wolf >= dj else 'FAIL'} |")
    out = ["", "## Default middleware share", "",
           "Throughput with the framework's default middleware ÷ without it (1.00× = free).", "",
           "| test | WolfPy, gunicorn | Django, gunicorn | WolfPy, uvicorn |", "|---|---:|---:|---:|", *share_rows]
    out += ["", "## Targets", "", "| target | measured | wanted | |", "|---|---:|---:|---|", *rows]
    return out
