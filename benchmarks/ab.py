"""Before/after timing of one case under two WolfPy checkouts, interleaved in one run.

    python benchmarks/ab.py CASE --base /path/to/old/checkout [--rounds 9] [--time 0.3] [--cpu]

Each checkout gets its own worker process (``PYTHONPATH`` = that checkout) that sets the
case up once; the parent then asks the workers, in turn and in a rotated order, for one
timed batch each, so load from anything else on the machine falls on both alike. The
table gives the median µs per request per checkout and the ratio (base ÷ this checkout).
With ``--cpu`` the workers count their own CPU time instead of the wall clock: on a
loaded machine, waits for the database server or for a CPU then stay out of the figure.

Cases:
- ``db``: check a pooled PostgreSQL connection out, run one query, return it (what each
  request does); needs ``WOLFPY_TEST_POSTGRES_URL``.
- ``access_log``: GET / of a default project (``wolfpy new``) under WSGI, its access log
  written to ``logs/app.log`` (console off).
- ``asgi``: GET / of a default project under ASGI and under WSGI; the ratio per checkout
  is ASGI ÷ WSGI.
- ``asgi_nonblocking``: the same, its page's handler marked ``@nonblocking``.
- ``orm``: three requests to a project whose handlers use its models on PostgreSQL (no
  built-in middleware): ``fortunes`` lists a 12-row table (``Fortune.select()``), ``get``
  reads one row (``World.get_by_id(n)``), ``update`` writes one field of one row by id.
  Needs ``WOLFPY_TEST_POSTGRES_URL``; the tables are the worker's own and dropped at exit.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent


# -- worker side -------------------------------------------------------------------------

def _default_project(console: bool = False, mark: bool = False) -> Any:
    import wolfpy
    from wolfpy.scaffold import create_project
    dest = Path(tempfile.mkdtemp(prefix="wolfpy-ab-")) / "site"
    create_project(dest, "absite")
    if mark:  # the page's handler marked @nonblocking (a checkout without it runs it as before)
        index = dest / "routes" / "index.py"
        source = index.read_text().replace("\ndef get(", "\n@nonblocking\ndef get(", 1)
        index.write_text("try:\n    from wolfpy import nonblocking\nexcept ImportError:\n"
                         "    def nonblocking(f):\n        return f\n" + source)
    os.environ.update({"WOLFPY_SECRET_KEY": "x" * 50, "WOLFPY_APP_DEBUG": "false",
                       "WOLFPY_APP_ALLOWED_HOSTS": "127.0.0.1",
                       "WOLFPY_LOGGING_CONSOLE": "true" if console else "false"})
    return wolfpy.load(dest)


def _environ() -> dict[str, Any]:
    import io
    return {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "RAW_URI": "/", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "HTTP_USER_AGENT": "ab",
            "HTTP_ACCEPT": "*/*", "HTTP_ACCEPT_ENCODING": "gzip", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
            "wsgi.multiprocess": False, "wsgi.run_once": False, "wsgi.version": (1, 0)}


def _wsgi_call(app: Any, path: str = "/") -> Callable[[int], None]:
    environ = dict(_environ(), PATH_INFO=path, RAW_URI=path)

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        assert status.startswith("200"), status

    def run(n: int) -> None:
        for _ in range(n):
            body = app(environ.copy(), start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
    return run


def _asgi_call(app: Any) -> Callable[[int], None]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": "/", "raw_path": b"/", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"user-agent", b"ab"), (b"accept", b"*/*"),
                         (b"accept-encoding", b"gzip")],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    loop = _new_loop()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message

    async def many(n: int) -> None:
        for _ in range(n):
            await app(dict(scope), receive, send)

    def run(n: int) -> None:
        loop.run_until_complete(many(n))
    return run


def _new_loop() -> Any:
    """uvloop when installed and ``--loop`` is auto (as uvicorn picks), else asyncio's loop."""
    import asyncio
    if os.environ.get("WOLFPY_AB_LOOP", "auto") != "asyncio":
        try:
            import uvloop
            return uvloop.new_event_loop()
        except ImportError:
            pass
    return asyncio.new_event_loop()


_ORM_MODELS = """
from wolfpy.db import CharField, IntegerField, Model

class World(Model):
    randomnumber = IntegerField()

    class Meta:
        table_name = "ab_world_{tag}"

class Fortune(Model):
    message = CharField(max_length=2048)

    class Meta:
        table_name = "ab_fortune_{tag}"
"""

_ORM_ROUTES = {
    "fortunes": "def get(request):\n"
                "    return str(sum(len(f.message) for f in Fortune.select()))\n",
    "get": "def get(request):\n"
           "    global n\n"
           "    n = n % 100 + 1\n"
           "    return str(World.get_by_id(n).randomnumber)\n",
    "update": "def get(request):\n"
              "    global n\n"
              "    n = n % 100 + 1\n"
              "    return str(World.update(randomnumber=n * 7 % 10000 + 1).where(World.id == n).execute())\n",
}


def _orm_project() -> dict[str, Callable[[int], None]]:
    import atexit
    import wolfpy
    tag = f"{os.getpid()}_{int(time.time())}"
    dest = Path(tempfile.mkdtemp(prefix="wolfpy-ab-")) / "site"
    (dest / "routes").mkdir(parents=True)
    (dest / "models").mkdir()
    (dest / "wolfpy.toml").write_text("[app]\ndebug = false\n[middleware]\nbuiltin = []\n")
    (dest / "models" / "tfb.py").write_text(_ORM_MODELS.format(tag=tag))
    for name, body in _ORM_ROUTES.items():
        (dest / "routes" / f"{name}.py").write_text("from models.tfb import Fortune, World\n\nn = 0\n\n\n" + body)
    os.environ.update({"WOLFPY_SECRET_KEY": "x" * 50, "WOLFPY_APP_ALLOWED_HOSTS": "127.0.0.1",
                       "DATABASE_URL": os.environ["WOLFPY_TEST_POSTGRES_URL"]})
    app = wolfpy.load(dest)
    models = app.models
    world, fortune = (next(m for m in models if m.__name__ == name) for name in ("World", "Fortune"))
    db = app.database
    with db.connection_context():
        db.create_tables(models)
        world.insert_many([{"randomnumber": i * 37 % 10000 + 1} for i in range(1, 101)]).execute()
        fortune.insert_many([{"message": f"fortune <{i}> & more"} for i in range(12)]).execute()

    def drop() -> None:
        with db.connection_context():
            db.drop_tables(models)
        db.close_all()
    atexit.register(drop)
    return {name: _wsgi_call(app, "/" + name) for name in _ORM_ROUTES}


def _setup(case: str) -> dict[str, Callable[[int], None]]:
    if case == "db":
        from wolfpy.db import database_from_url
        db = database_from_url(os.environ["WOLFPY_TEST_POSTGRES_URL"])

        def run(n: int) -> None:
            for _ in range(n):
                db.connect(reuse_if_open=True)
                db.execute_sql("SELECT 1 + 1").fetchone()
                db.close()
        return {"request": run}
    if case == "orm":
        return _orm_project()
    if case == "access_log":
        return {"request": _wsgi_call(_default_project())}
    if case in ("asgi", "asgi_nonblocking"):
        app = _default_project(mark=case == "asgi_nonblocking")
        return {"wsgi": _wsgi_call(app), "asgi": _asgi_call(app.asgi)}
    raise SystemExit(f"error: unknown case {case!r}")


def worker(case: str, seconds: float, clock: Callable[[], float] = time.perf_counter) -> None:
    runs = _setup(case)
    sizes = {}
    for name, run in runs.items():  # calibrate: one batch lasts about `seconds`
        run(20)
        n = 20
        while True:
            start = time.perf_counter()
            run(n)
            took = time.perf_counter() - start
            if took >= seconds / 4:
                break
            n *= 2
        sizes[name] = max(20, int(n * seconds / took))
    print("ready", flush=True)
    for line in sys.stdin:
        out = {}
        for name, run in runs.items():
            n = sizes[name]
            start = clock()
            run(n)
            out[name] = (clock() - start) / n * 1e6
        print(json.dumps(out), flush=True)


# -- parent side -------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=["db", "access_log", "asgi", "asgi_nonblocking", "orm"])
    parser.add_argument("--base", required=True, help="the checkout to compare with (holds wolfpy/)")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--time", type=float, default=0.3, help="seconds per batch")
    parser.add_argument("--loop", choices=["auto", "asyncio"], default="auto",
                        help="the ASGI cases' event loop; auto: uvloop when installed, as uvicorn picks")
    parser.add_argument("--cpu", action="store_true",
                        help="time each worker's own CPU (process_time), not the wall clock: what the "
                             "checkout itself costs, without the waits on a database or a busy machine")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.case, args.time, time.process_time if args.cpu else time.perf_counter)
        return
    os.environ["WOLFPY_AB_LOOP"] = args.loop  # the workers read it
    checkouts = {"base": os.path.abspath(args.base), "this": str(HERE.parent)}
    procs = {}
    for label, root in checkouts.items():
        env = dict(os.environ, PYTHONPATH=root)
        procs[label] = subprocess.Popen(
            [sys.executable, __file__, args.case, "--base", args.base, "--time", str(args.time), "--worker"]
            + (["--cpu"] if args.cpu else []),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=tempfile.gettempdir())
    for proc in procs.values():
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    samples: dict[str, list[dict[str, float]]] = {label: [] for label in procs}
    labels = list(procs)
    load = os.getloadavg()[0]
    for r in range(args.rounds):
        for label in labels[r % 2:] + labels[:r % 2]:
            proc = procs[label]
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
            samples[label].append(json.loads(proc.stdout.readline()))
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    print(f"case {args.case}: {args.rounds} interleaved rounds{' (CPU time)' if args.cpu else ''}, load {load:.2f} -> {os.getloadavg()[0]:.2f}")
    medians = {label: {k: statistics.median(s[k] for s in rows) for k in rows[0]}
               for label, rows in samples.items()}
    for label, m in medians.items():
        cells = ", ".join(f"{k} {v:.1f} µs" for k, v in m.items())
        extra = f"  (asgi ÷ wsgi {m['asgi'] / m['wsgi']:.2f}×)" if "asgi" in m else ""
        print(f"  {label:5s} {cells}{extra}")
    for key in medians["base"]:
        print(f"  {key}: base ÷ this = {medians['base'][key] / medians['this'][key]:.2f}×")


if __name__ == "__main__":
    main()
