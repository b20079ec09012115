#!/usr/bin/env python3
"""WolfPy's in-process benchmark suite: WolfPy vs Falcon, Starlette, Flask, Bottle and bare callables.

    python benchmarks/run.py                 # full run (~2 minutes on 2 cores)
    python benchmarks/run.py --quick         # smoke run (< 30 s)
    python benchmarks/run.py --out benchmarks/RESULTS.md
    python benchmarks/run.py --cases plaintext,param --frameworks wolfpy-wsgi,falcon

Everything runs in this one process, without sockets: each case builds one WSGI environ
(as gunicorn would) or one ASGI scope (as uvicorn would); a timed run calls the app
callable N times with a shallow copy of it (a fresh ``wsgi.input`` for POST), consuming
and closing the WSGI body, or awaiting the ASGI app with a minimal receive/send pair on
one event loop. Repetitions are interleaved: every repetition runs each framework once,
in a rotated order, so machine noise hits them all alike; the table reports the median.
Every app's answer is checked (status and body) before it is timed.

See benchmarks/README.md for what each case measures and how to read the ratios.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for p in (str(HERE), str(REPO)):  # this checkout's wolfpy, and apps.py beside this file
    if p not in sys.path:
        sys.path.insert(0, p)

import apps  # noqa: E402

# ---------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------
FORM_VALUES = {"name": "Ada Lovelace", "email": "ada@example.com", "age": "36",
               "city": "London", "comment": "Hello, World! & more"}
FORM_BODY = urlencode(FORM_VALUES).encode()
FORM_EXPECTED = apps.form_response([FORM_VALUES[k] for k in apps.FORM_FIELDS]).encode()


@dataclass
class Case:
    key: str
    label: str
    method: str = "GET"
    path: str = "/"
    body: bytes = b""
    content_type: str = ""
    status: int = 200
    expect_body: bytes | None = None
    check: Callable[[bytes], bool] | None = None
    only: tuple[str, ...] = ()   # restrict to these frameworks (empty: every framework)

    def verify(self, status: int, body: bytes) -> str | None:
        if status != self.status:
            return f"status {status}, expected {self.status} (body {body[:80]!r})"
        if self.expect_body is not None and body != self.expect_body:
            return f"body {body[:80]!r}, expected {self.expect_body[:80]!r}"
        if self.check is not None and not self.check(body):
            return f"unexpected body {body[:80]!r}"
        return None


def _json_ok(body: bytes) -> bool:
    try:
        return json.loads(body) == apps.JSON_DOC
    except ValueError:
        return False


CASES = [
    Case("plaintext", "plaintext `GET /`", expect_body=apps.HELLO_BYTES),
    Case("param", "param `GET /users/{id}`", path="/users/12345", expect_body=b"12345"),
    Case("json", "JSON `GET /json`", path="/json", check=_json_ok),
    Case("404", "404 `GET /no/such/page`", path="/no/such/page", status=404),
    Case("first1000", "first of 1,000 routes `/r0/{id}`", path="/r0/12345", expect_body=b"12345"),
    Case("last1000", "last of 1,000 routes `/r999/{id}`", path="/r999/12345", expect_body=b"12345"),
    Case("form", "form POST, 5 urlencoded fields", method="POST", path="/form", body=FORM_BODY,
         content_type="application/x-www-form-urlencoded", expect_body=FORM_EXPECTED),
    Case("mako", "Mako page, 50 escaped items", path="/page",
         check=lambda b: b"&lt;item 49&gt;" in b and b"<item" not in b,
         only=("wolfpy-wsgi", "wolfpy-asgi", "mako")),
    Case("plaintext_default_mw", "plaintext + default built-in middleware",
         expect_body=apps.HELLO_BYTES, only=("wolfpy-wsgi", "wolfpy-asgi")),
    Case("default_project", "default project page `/` (`wolfpy new`, production)",
         check=lambda b: b"benchsite" in b, only=("wolfpy-wsgi", "wolfpy-asgi")),
]
CASE_BY_KEY = {c.key: c for c in CASES}
# Cases measured together: every repetition runs each (case, framework) cell of a group
# once, so the ratios inside a group (404 ÷ plaintext, last ÷ first) are paired too.
GROUPS = [("plaintext", "404", "plaintext_default_mw"), ("param",), ("json",),
          ("first1000", "last1000"), ("form",), ("mako",), ("default_project",)]
assert sorted(k for g in GROUPS for k in g) == sorted(CASE_BY_KEY)

# ---------------------------------------------------------------------------------
# Frameworks
# ---------------------------------------------------------------------------------


@dataclass
class Framework:
    key: str
    label: str
    kind: str                      # "wsgi", "asgi" or "call"
    module: str                    # the distribution to report the version of
    apps: dict[str, Any] = field(default_factory=dict)


FRAMEWORKS = [
    Framework("wolfpy-wsgi", "WolfPy WSGI", "wsgi", "wolfpy"),
    Framework("falcon", "Falcon", "wsgi", "falcon"),
    Framework("flask", "Flask", "wsgi", "flask"),
    Framework("bottle", "Bottle", "wsgi", "bottle"),
    Framework("bare-wsgi", "bare WSGI", "wsgi", ""),
    Framework("wolfpy-asgi", "WolfPy ASGI", "asgi", "wolfpy"),
    Framework("falcon-asgi", "Falcon-ASGI", "asgi", "falcon"),
    Framework("starlette", "Starlette", "asgi", "starlette"),
    Framework("bare-asgi", "bare ASGI", "asgi", ""),
    Framework("mako", "Mako `render()`", "call", "mako"),
]
FW_BY_KEY = {f.key: f for f in FRAMEWORKS}


def build_frameworks(wanted: set[str], ws: apps.Workspace, log: Callable[[str], None]) -> list[str]:
    """Fill ``Framework.apps``; returns one line per framework skipped."""
    skipped: list[str] = []
    for fw in FRAMEWORKS:
        fw.apps = {}
    builders: dict[str, Callable[[], dict[str, Any]]] = {
        "falcon": apps.falcon_wsgi, "falcon-asgi": apps.falcon_asgi, "starlette": apps.starlette,
        "flask": apps.flask, "bottle": apps.bottle,
    }
    if wanted & {"wolfpy-wsgi", "wolfpy-asgi"}:
        wolf = apps.wolfpy_apps(ws)
        FW_BY_KEY["wolfpy-wsgi"].apps = wolf["wsgi"]
        FW_BY_KEY["wolfpy-asgi"].apps = wolf["asgi"]
        if "default_project" in _selected_cases:
            try:
                app = apps.load_default_project(ws)
                FW_BY_KEY["wolfpy-wsgi"].apps["default_project"] = app
                FW_BY_KEY["wolfpy-asgi"].apps["default_project"] = app.asgi
            except LookupError as exc:
                skipped.append(f"case default_project skipped: {exc}")
    bare = apps.bare_apps()
    FW_BY_KEY["bare-wsgi"].apps = bare["wsgi"]
    FW_BY_KEY["bare-asgi"].apps = bare["asgi"]
    for key, build in builders.items():
        if key not in wanted:
            continue
        try:
            FW_BY_KEY[key].apps = build()
        except ImportError as exc:
            skipped.append(f"{FW_BY_KEY[key].label} skipped: not installed ({exc.name or exc})")
    if "mako" in wanted:
        try:
            FW_BY_KEY["mako"].apps = {"mako": apps.mako_direct()}
        except ImportError:
            skipped.append("Mako render() skipped: mako not installed")
    return skipped


_selected_cases: set[str] = set()

# ---------------------------------------------------------------------------------
# Harness: synthetic environ / scope, timed loops
# ---------------------------------------------------------------------------------
HOST = "127.0.0.1:8000"
BASE_HEADERS = [("host", HOST), ("user-agent", "wolfpy-bench/1.0"), ("accept", "*/*"),
                ("accept-encoding", "gzip, deflate")]


def make_environ(case: Case) -> dict[str, Any]:
    """A WSGI environ as gunicorn builds it for this request."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": case.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": case.path,
        "QUERY_STRING": "",
        "RAW_URI": case.path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "bench",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "54321",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.input_terminated": True,
    }
    for name, value in BASE_HEADERS:
        env["HTTP_" + name.upper().replace("-", "_")] = value
    if case.body or case.method == "POST":
        env["CONTENT_LENGTH"] = str(len(case.body))
        if case.content_type:
            env["CONTENT_TYPE"] = case.content_type
    return env


def make_scope(case: Case) -> dict[str, Any]:
    """An ASGI HTTP scope as uvicorn builds it for this request."""
    headers = [(k.encode(), v.encode()) for k, v in BASE_HEADERS]
    if case.body or case.method == "POST":
        if case.content_type:
            headers.append((b"content-type", case.content_type.encode()))
        headers.append((b"content-length", str(len(case.body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 54321),
        "scheme": "http",
        "method": case.method,
        "root_path": "",
        "path": case.path,
        "raw_path": case.path.encode(),
        "query_string": b"",
        "headers": headers,
        "state": {},
    }


def _start_response(status: str, headers: list[Any], exc_info: Any = None) -> Callable[[bytes], None]:
    return _write


def _write(data: bytes) -> None:
    pass


_DISCONNECT = {"type": "http.disconnect"}


class Receive:
    """The request body in one message, then ``http.disconnect`` (as a server would after it)."""

    __slots__ = ("message", "fresh")

    def __init__(self, body: bytes) -> None:
        self.message = {"type": "http.request", "body": body, "more_body": False}
        self.fresh = True

    async def __call__(self) -> dict[str, Any]:
        if self.fresh:
            self.fresh = False
            return self.message
        return _DISCONNECT


async def _send(message: dict[str, Any]) -> None:
    pass


class Runner:
    """Times ``n`` calls of one app for one case; ``once()`` returns (status, body) to verify."""

    def __init__(self, fw: Framework, case: Case, app: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.fw, self.case, self.app, self.loop = fw, case, app, loop
        if fw.kind == "wsgi":
            self.environ = make_environ(case)
        elif fw.kind == "asgi":
            self.scope = make_scope(case)

    # -- WSGI ------------------------------------------------------------------
    def _wsgi(self, n: int) -> float:
        app, copy, sr = self.app, self.environ.copy, _start_response
        body = self.case.body
        perf = time.perf_counter
        if self.case.method == "POST":
            BytesIO = io.BytesIO
            t0 = perf()
            for _ in range(n):
                env = copy()
                env["wsgi.input"] = BytesIO(body)
                result = app(env, sr)
                for _chunk in result:
                    pass
                if hasattr(result, "close"):
                    result.close()
            return perf() - t0
        t0 = perf()
        for _ in range(n):
            result = app(copy(), sr)
            for _chunk in result:
                pass
            if hasattr(result, "close"):
                result.close()
        return perf() - t0

    # -- ASGI ------------------------------------------------------------------
    async def _asgi_loop(self, n: int) -> float:
        app, copy, send = self.app, self.scope.copy, _send
        receive = Receive(self.case.body)
        perf = time.perf_counter
        t0 = perf()
        for _ in range(n):
            receive.fresh = True
            await app(copy(), receive, send)
        return perf() - t0

    def _call(self, n: int) -> float:
        func = self.app
        perf = time.perf_counter
        t0 = perf()
        for _ in range(n):
            func()
        return perf() - t0

    def run(self, n: int) -> float:
        kind = self.fw.kind
        if kind == "wsgi":
            return self._wsgi(n)
        if kind == "asgi":
            return self.loop.run_until_complete(self._asgi_loop(n))
        return self._call(n)

    def once(self) -> tuple[int, bytes]:
        kind = self.fw.kind
        if kind == "call":
            out = self.app()
            return 200, out.encode() if isinstance(out, str) else out
        if kind == "wsgi":
            seen: list[str] = []

            def sr(status: str, headers: list[Any], exc_info: Any = None) -> Any:
                seen.append(status)
                return _write
            env = self.environ.copy()
            env["wsgi.input"] = io.BytesIO(self.case.body)
            result = self.app(env, sr)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            return int(seen[-1].split()[0]), body
        messages: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)
        self.loop.run_until_complete(self.app(self.scope.copy(), Receive(self.case.body), send))
        status = next(m["status"] for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        return status, body


def calibrate(runner: Runner, target: float) -> int:
    """How many calls make one timed run last about ``target`` seconds."""
    runner.run(20)  # warm up: lazy compilation, first-request setup
    n = 50
    while True:
        elapsed = runner.run(n)
        if elapsed >= min(0.02, target) or n >= 10_000_000:
            break
        n *= 4
    return max(20, int(target * n / elapsed))


# ---------------------------------------------------------------------------------
# Deterministic call counts
# ---------------------------------------------------------------------------------
def count_calls(runner: Runner, requests: int = 200) -> tuple[float, float]:
    """(Python calls, C calls) per request, counted with ``sys.setprofile``.

    The counts include the harness's share: the server's ``start_response`` (1 Python call)
    and one ``hasattr`` (1 C call) per WSGI request.
    """
    runner.run(50)
    counts = {"call": 0, "c_call": 0}

    def prof(frame: Any, event: str, arg: Any) -> None:
        if event in counts:
            counts[event] += 1

    if runner.fw.kind == "wsgi":
        app, sr = runner.app, _start_response
        envs = [runner.environ.copy() for _ in range(requests)]
        if runner.case.method == "POST":
            for env in envs:
                env["wsgi.input"] = io.BytesIO(runner.case.body)
        sys.setprofile(prof)
        for env in envs:
            result = app(env, sr)
            for _chunk in result:
                pass
            if hasattr(result, "close"):
                result.close()
        sys.setprofile(None)
    else:
        scopes = [runner.scope.copy() for _ in range(requests)]
        receive = Receive(runner.case.body)

        async def go() -> None:
            app = runner.app
            sys.setprofile(prof)
            for scope in scopes:
                receive.fresh = True
                await app(scope, receive, _send)
            sys.setprofile(None)
        runner.loop.run_until_complete(go())
    return counts["call"] / requests, counts["c_call"] / requests


# ---------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------
def new_loop(choice: str) -> tuple[asyncio.AbstractEventLoop, str]:
    """The event loop for the ASGI apps and its name: uvloop when installed and ``choice``
    is auto (as uvicorn's ``--loop auto`` picks), else asyncio's own."""
    if choice != "asyncio":
        try:
            import uvloop
        except ImportError:
            if choice == "uvloop":
                raise SystemExit("error: --loop uvloop: uvloop is not installed (pip install uvloop)")
        else:
            return uvloop.new_event_loop(), f"uvloop {uvloop.__version__}"
    return asyncio.new_event_loop(), "asyncio"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _version(dist: str) -> str:
    if not dist:
        return ""
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:
        try:
            mod = __import__(dist)
            return str(getattr(mod, "__version__", "?"))
        except Exception:
            return "?"


def _loadavg() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


class Results:
    def __init__(self) -> None:
        self.samples: dict[tuple[str, str], list[float]] = {}
        self.failures: list[str] = []

    def median(self, case: str, fw: str) -> float | None:
        s = self.samples.get((case, fw))
        return statistics.median(s) if s else None

    def paired(self, case: str, fa: str, fb: str, case_b: str | None = None) -> float | None:
        """Median over the repetitions of (rate of ``fa`` in ``case`` ÷ rate of ``fb`` in
        ``case_b``, by default the same case).

        Within a repetition the cells of a group run back to back, so each
        per-repetition ratio sees the same machine load; a slow drift cancels out.
        """
        a, b = self.samples.get((case, fa)), self.samples.get((case_b or case, fb))
        if not a or not b or len(a) != len(b):
            return rate_ratio(self.median(case, fa), self.median(case_b or case, fb))
        return statistics.median(x / y for x, y in zip(a, b))

    def spread(self, case: str, fw: str) -> float | None:
        s = self.samples.get((case, fw))
        if not s or len(s) < 3:
            return None
        q1, q2, q3 = statistics.quantiles(s, n=4)
        return (q3 - q1) / q2


def rate_ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def render_report(res: Results, cases: list[Case], fws: list[Framework], meta: dict[str, Any],
                  counts: dict[tuple[str, str], tuple[float, float]], skipped: list[str]) -> str:
    lines: list[str] = []
    add = lines.append
    add("# WolfPy benchmark results")
    add("")
    add(f"- date: {meta['date']}")
    add(f"- Python: {meta['python']}")
    add(f"- CPU: {meta['cpu']}; cores: {meta['cores']}")
    add(f"- platform: {meta['platform']}; 1-minute load average {meta['load']} "
        "(anything else running shows up as noise)")
    add(f"- versions: {meta['versions']}")
    add(f"- ASGI event loop: {meta.get('loop', 'asyncio')} (the loop uvicorn runs with `--loop auto`)")
    add(f"- mode: {meta['mode']}: {meta['reps']} interleaved repetitions of ~{meta['target'] * 1000:.0f} ms "
        f"per case and framework; median calls/s shown; wall time {meta['wall']:.0f} s")
    add("- in-process (no sockets): synthetic gunicorn-style environ / uvicorn-style scope, "
        "app callable called directly; WolfPy: file-routed projects, `[middleware] builtin = []` "
        "unless the case says otherwise; ASGI handlers are `async def` everywhere")
    for line in skipped:
        add(f"- {line}")
    add("")

    shown = [f for f in fws if any((c.key, f.key) in res.samples for c in cases)]
    add("## Calls per second (median; higher is better)")
    add("")
    add("| case | " + " | ".join(f.label for f in shown) + " |")
    add("|---|" + "---:|" * len(shown))
    for c in cases:
        if not any((c.key, f.key) in res.samples for f in shown):
            continue
        add(f"| {c.label} | " + " | ".join(fmt_rate(res.median(c.key, f.key)) for f in shown) + " |")
    spreads = [s for k in res.samples if (s := res.spread(*k)) is not None]
    if spreads:
        add("")
        add(f"Noise: the interquartile range ÷ median of a cell's repetitions is "
            f"{statistics.median(spreads) * 100:.1f}% for the median cell, {max(spreads) * 100:.1f}% at worst.")
    add("")

    add("## Ratios")
    add("")
    add("Throughput ratios (above 1.00× means WolfPy is faster). Every ratio is the median of the "
        "per-repetition ratios: in each repetition the cells being compared run close together, "
        "so both sides of a ratio see the same machine load.")
    add("")
    add("| case | WolfPy ÷ Falcon (WSGI) | WolfPy ÷ Falcon (ASGI) | WolfPy ÷ bare (WSGI) | WolfPy ÷ bare (ASGI) |")
    add("|---|---:|---:|---:|---:|")
    for c in cases:
        if c.only:
            continue
        row = [res.paired(c.key, "wolfpy-wsgi", "falcon"), res.paired(c.key, "wolfpy-asgi", "falcon-asgi"),
               res.paired(c.key, "wolfpy-wsgi", "bare-wsgi"), res.paired(c.key, "wolfpy-asgi", "bare-asgi")]
        if any(row):
            add(f"| {c.label} | " + " | ".join(fmt_ratio(r) for r in row) + " |")
    add("")
    per_fw = [f for f in shown if f.kind != "call"]
    add("Within one framework: **404 cost ÷ plaintext cost** (time per 404 ÷ time per plaintext "
        "request; lower is better) and **last ÷ first of 1,000 routes** (throughput; 1.00× means "
        "the route table's size does not matter).")
    add("")
    add("| framework | 404 ÷ plaintext (cost) | last ÷ first of 1,000 |")
    add("|---|---:|---:|")
    for f in per_fw:
        a = res.paired("plaintext", f.key, f.key, "404")
        b = res.paired("last1000", f.key, f.key, "first1000")
        if a or b:
            add(f"| {f.label} | {fmt_ratio(a)} | {fmt_ratio(b)} |")
    add("")
    mako_rows = []
    for fk in ("wolfpy-wsgi", "wolfpy-asgi"):
        r = res.paired("mako", "mako", fk)
        if r:
            mako_rows.append(f"| {FW_BY_KEY[fk].label} | {fmt_ratio(r)} |")
    if mako_rows:
        add("Mako: **WolfPy page cost ÷ bare `Template.render` cost** (a whole request through "
            "WolfPy vs the render call alone; lower is better).")
        add("")
        add("| WolfPy | page ÷ bare render (cost) |")
        add("|---|---:|")
        lines.extend(mako_rows)
        add("")
    dm_rows = []
    for fk in ("wolfpy-wsgi", "wolfpy-asgi"):
        r = res.paired("plaintext", fk, fk, "plaintext_default_mw")
        if r:
            dm_rows.append(f"| {FW_BY_KEY[fk].label} | {fmt_ratio(r)} |")
    if dm_rows:
        add("Default built-in middleware: **plaintext cost with the defaults ÷ without** (lower is better).")
        add("")
        add("| WolfPy | default middleware ÷ none (cost) |")
        add("|---|---:|")
        lines.extend(dm_rows)
        add("")

    add("## Targets")
    add("")
    add("| target | measured | |")
    add("|---|---:|---|")
    for name, value, ok in _targets(res):
        if value is not None:  # not measured in this run
            add(f"| {name} | {fmt_ratio(value)} | {'PASS' if ok else 'FAIL'} |")
    add("")
    add("(The uvicorn/gunicorn targets are measured by `benchmarks/e2e.py`.)")
    add("")

    if counts:
        add("## Function calls per request (deterministic, `sys.setprofile`)")
        add("")
        add("Python-level calls (incl. generator/coroutine resumptions) and C calls per request. "
            "Each WSGI count includes the harness's `start_response` (1 Python call) and one "
            "`hasattr` (1 C call); the bare rows are the floor.")
        add("")
        add("| framework | case | Python calls | C calls |")
        add("|---|---|---:|---:|")
        for (fk, ck), (py, cc) in counts.items():
            add(f"| {FW_BY_KEY[fk].label} | {CASE_BY_KEY[ck].label} | {py:.0f} | {cc:.0f} |")
        add("")
    if res.failures:
        add("## Failed checks (not timed)")
        add("")
        for f in res.failures:
            add(f"- {f}")
        add("")
    return "\n".join(lines)


def _targets(res: Results) -> list[tuple[str, float | None, bool | None]]:
    out: list[tuple[str, float | None, bool | None]] = []

    def at_least(name: str, value: float | None, bound: float) -> None:
        out.append((name, value, None if value is None else value >= bound))

    def at_most(name: str, value: float | None, bound: float) -> None:
        out.append((name, value, None if value is None else value <= bound))

    for ck in ("plaintext", "param", "json", "form"):
        at_least(f"{ck}: WolfPy WSGI ≥ 1.0× Falcon", res.paired(ck, "wolfpy-wsgi", "falcon"), 1.0)
        at_least(f"{ck}: WolfPy ASGI ≥ 1.0× Falcon-ASGI", res.paired(ck, "wolfpy-asgi", "falcon-asgi"), 1.0)
    for fk in ("wolfpy-wsgi", "wolfpy-asgi"):
        label = FW_BY_KEY[fk].label
        at_most(f"{label}: 404 cost ≤ 1.5× plaintext cost", res.paired("plaintext", fk, fk, "404"), 1.5)
        at_least(f"{label}: last-of-1000 ≥ 0.9× first", res.paired("last1000", fk, fk, "first1000"), 0.9)
        at_most(f"{label}: Mako page ≤ 1.1× bare render cost", res.paired("mako", "mako", fk), 1.1)
    return out


# ---------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a short smoke run (< 30 s)")
    ap.add_argument("--out", type=Path, help="also write the Markdown report here")
    ap.add_argument("--json", type=Path, help="write every raw sample (calls/s) here as JSON")
    ap.add_argument("--reps", type=int, help="interleaved repetitions (default 11, quick 3)")
    ap.add_argument("--time", type=float, help="seconds per timed run (default 0.12, quick 0.03)")
    ap.add_argument("--cases", help="comma-separated case keys: " + ",".join(CASE_BY_KEY))
    ap.add_argument("--frameworks", help="comma-separated framework keys: " + ",".join(FW_BY_KEY))
    ap.add_argument("--no-counts", action="store_true", help="skip the call counts")
    ap.add_argument("--loop", choices=["auto", "asyncio", "uvloop"], default="auto",
                    help="the ASGI apps' event loop; auto: uvloop when installed, as uvicorn picks")
    return ap.parse_args(argv)


def _pick(spec: str | None, known: dict[str, Any], what: str) -> list[str]:
    if not spec:
        return list(known)
    keys = [k.strip() for k in spec.split(",") if k.strip()]
    bad = [k for k in keys if k not in known]
    if bad:
        raise SystemExit(f"unknown {what}: {', '.join(bad)} (known: {', '.join(known)})")
    return keys


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    reps = args.reps or (3 if args.quick else 11)
    target = args.time or (0.03 if args.quick else 0.12)
    load_before = _loadavg()
    case_keys = _pick(args.cases, CASE_BY_KEY, "case")
    fw_keys = _pick(args.frameworks, FW_BY_KEY, "framework")
    _selected_cases.update(case_keys)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    saved_debug = os.environ.pop("WOLFPY_APP_DEBUG", None)  # measure production settings
    ws = apps.Workspace()
    loop, loop_name = new_loop(args.loop)
    asyncio.set_event_loop(loop)
    try:
        log("building apps ...")
        skipped = build_frameworks(set(fw_keys), ws, log)
        for line in skipped:
            log(line)
        cases = [CASE_BY_KEY[k] for k in case_keys]
        fws = [FW_BY_KEY[k] for k in fw_keys]
        res = Results()

        # Runners, verified before anything is timed.
        runners: dict[str, list[Runner]] = {}
        for case in cases:
            row = []
            for fw in fws:
                if case.only and fw.key not in case.only:
                    continue
                app = fw.apps.get("mako" if fw.kind == "call" else case.key)
                if app is None or (fw.kind == "call" and case.key != "mako"):
                    continue
                runner = Runner(fw, case, app, loop)
                try:
                    error = case.verify(*runner.once())
                except Exception as exc:  # a broken app must not stop the suite
                    error = f"raised {type(exc).__name__}: {exc}"
                if error:
                    res.failures.append(f"{fw.label} / {case.key}: {error}")
                    log(f"CHECK FAILED {fw.label} / {case.key}: {error}")
                    continue
                row.append(runner)
            if row:
                runners[case.key] = row

        gc.collect()
        gc.freeze()  # setup objects out of the collector's way: runs pay only for their own garbage

        for group in GROUPS:
            keys = [k for k in group if k in runners]
            if not keys:
                continue
            # Framework-major order: a framework's cases of the group run back to back
            # (for the cross-case ratios), and the frameworks follow one another closely.
            cells = [r for fw in fws for k in keys for r in runners[k] if r.fw is fw]
            sizes = [calibrate(r, target) for r in cells]
            for rep in range(reps):
                k = rep % len(cells)
                order = list(zip(cells, sizes))
                order = order[k:] + order[:k]  # rotate: nobody always goes first
                for runner, n in order:
                    gc.collect()
                    elapsed = runner.run(n)
                    res.samples.setdefault((runner.case.key, runner.fw.key), []).append(n / elapsed)
            for key in keys:
                log(f"{key:>22}: " + "  ".join(
                    f"{r.fw.label} {fmt_rate(res.median(key, r.fw.key))}" for r in runners[key]))

        counts: dict[tuple[str, str], tuple[float, float]] = {}
        if not args.no_counts:
            for fk in ("wolfpy-wsgi", "falcon", "flask", "bottle", "bare-wsgi",
                       "wolfpy-asgi", "falcon-asgi", "starlette", "bare-asgi"):
                for ck in ("plaintext", "param"):
                    r = next((r for r in runners.get(ck, []) if r.fw.key == fk), None)
                    if r is not None:
                        counts[(fk, ck)] = count_calls(r, 100 if args.quick else 500)

        modules = dict.fromkeys(f.module for f in FRAMEWORKS if f.module and f.apps)
        versions = ", ".join(f"{mod} {_version(mod)}" for mod in modules)
        meta = {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "cpu": cpu_model(),
            "cores": f"{os.cpu_count()} ({len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'} usable)",
            "platform": platform.platform(),
            "versions": versions,
            "mode": "quick" if args.quick else "full",
            "reps": reps,
            "target": target,
            "wall": time.perf_counter() - started,
            "load": f"{load_before} before, {_loadavg()} after",
            "loop": loop_name,
        }
        report = render_report(res, cases, fws, meta, counts, skipped)
        print(report)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(report + "\n")
            log(f"wrote {args.out}")
        if args.json:
            args.json.write_text(json.dumps({
                "meta": meta,
                "samples": {f"{c}/{f}": s for (c, f), s in res.samples.items()},
                "counts": {f"{f}/{c}": v for (f, c), v in counts.items()},
                "failures": res.failures,
            }, indent=1))
        # A peer that answers wrongly is reported; WolfPy answering wrongly fails the run.
        return 1 if any(f.startswith("WolfPy") for f in res.failures) else 0
    finally:
        gc.unfreeze()
        asyncio.set_event_loop(None)
        loop.close()
        ws.cleanup()
        if saved_debug is not None:
            os.environ["WOLFPY_APP_DEBUG"] = saved_debug


if __name__ == "__main__":
    sys.exit(main())
