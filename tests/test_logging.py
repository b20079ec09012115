"""Structured logging: the access_log built-in, JSON lines, rotation, levels, ``wolfpy log tail``."""
from __future__ import annotations

import gc
import json
import logging
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from wolfpy import App
from wolfpy.cli.main import main
from wolfpy.config import Settings
from wolfpy.errors import ConfigError
from wolfpy.logs import close_logging, configure_logging, is_configured
from wolfpy.testing import TestClient

from .conftest import SECRET

BUILTINS = '["request_id", "security_headers", "access_log"]'
TOML = f"[app]\ndebug = false\n[middleware]\nbuiltin = {BUILTINS}\n[logging]\nconsole = false\n"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

ROUTES = {
    "routes/hello.py": "def get(request):\n    return 'hello'\n",
    "routes/boom.py": "def get(request):\n    raise ValueError('kaboom: the secret sauce')\n",
    "routes/warn.py": """
        import logging
        log = logging.getLogger("wolfpy.app")
        def get(request):
            log.debug("a debug note")
            log.info("an info note")
            log.warning("careful")
            return 'warned'
    """,
    "routes/me.py": "def get(request):\n    return 'me'\n",
    "routes/_middleware.py": """
        class User:
            def __init__(self, **kw):
                self.__dict__.update(kw)
        def middleware(request, call_next):
            who = request.headers.get("x-user")
            if who == "id-only":
                request.user = User(id=7)
            elif who:
                request.user = User(username=who, id=1)
            return call_next(request)
    """,
}


@pytest.fixture(autouse=True)
def _close_every_app_logging():
    """Whatever a test configured, undo it: no handler (nor open file) outlives a test."""
    yield
    for handler in wolfpy_handlers():
        for owner in list(handler.levels):
            owner.close()
    assert wolfpy_handlers() == []


def wolfpy_handlers() -> list[logging.Handler]:
    """WolfPy's handlers on the ``wolfpy`` logger."""
    return [h for h in logging.getLogger("wolfpy").handlers if h.__class__.__module__ == "wolfpy.loghandlers"]


def log_path(app: App) -> Path:
    assert app.project is not None
    return app.project.root / "logs" / "app.log"


def records(app: App) -> list[dict]:
    path = log_path(app)
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[-1] == "", "every record ends with a newline"
    return [json.loads(line) for line in lines[:-1]]


def access(app: App) -> list[dict]:
    return [r for r in records(app) if r["logger"] == "wolfpy.access"]


# -- the access line -----------------------------------------------------------------

def test_access_line_has_every_field(client_for):
    c = client_for(ROUTES, toml=TOML)
    r = c.get("/hello?token=do-not-log")
    assert r.status_code == 200
    [line] = access(c.app)
    assert set(line) == {"time", "level", "logger", "message", "request_id", "method", "path", "status",
                         "duration_ms", "user", "client_ip"}
    assert TIME.match(line["time"])
    assert line["level"] == "INFO" and line["logger"] == "wolfpy.access"
    assert line["message"] == "GET /hello 200"
    assert line["method"] == "GET" and line["path"] == "/hello" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and 0 <= line["duration_ms"] < 10_000
    assert line["user"] is None
    assert line["client_ip"] == "127.0.0.1"
    assert line["request_id"] == r.headers["x-request-id"] and len(line["request_id"]) == 32
    assert "do-not-log" not in log_path(c.app).read_text()  # the query string is never logged


def test_access_line_names_the_user(client_for):
    c = client_for(ROUTES, toml=TOML)
    c.get("/me", headers={"x-user": "alice"})
    c.get("/me", headers={"x-user": "id-only"})
    c.get("/me")
    assert [line["user"] for line in access(c.app)] == ["alice", 7, None]


def test_every_request_gets_one_line_with_its_own_id(client_for):
    c = client_for(ROUTES, toml=TOML)
    ids = [c.get(url).headers["x-request-id"] for url in ("/hello", "/missing", "/hello/")]
    lines = access(c.app)
    assert [(x["path"], x["status"]) for x in lines] == [("/hello", 200), ("/missing", 404), ("/hello/", 308)]
    assert [x["request_id"] for x in lines] == ids and len(set(ids)) == 3


def test_response_made_before_the_chain_is_logged_with_the_id_it_was_sent(client_for):
    c = client_for(ROUTES, toml=TOML.replace("debug = false", "debug = false\nmax_body_size = 10"))
    r = c.post("/hello", content=b"x" * 100)
    assert r.status_code == 413
    [line] = access(c.app)
    assert line["status"] == 413 and line["method"] == "POST"
    assert line["request_id"] == r.headers["x-request-id"]
    assert line["duration_ms"] is None  # `before` never ran: no start time


def test_access_log_works_in_any_position(client_for):
    toml = TOML.replace(BUILTINS, '["access_log", "request_id"]')
    c = client_for(ROUTES, toml=toml.replace("debug = false", "debug = false\nmax_body_size = 10"))
    ok, big = c.get("/hello"), c.post("/hello", content=b"x" * 100)
    assert [(x["status"], x["request_id"]) for x in access(c.app)] == [
        (200, ok.headers["x-request-id"]), (413, big.headers["x-request-id"])]


def test_without_request_id_builtin_the_id_is_null(client_for):
    c = client_for(ROUTES, toml=TOML.replace(BUILTINS, '["access_log"]'))
    r = c.get("/hello")
    assert "x-request-id" not in r.headers
    assert access(c.app)[0]["request_id"] is None


# -- unhandled exceptions ---------------------------------------------------------------

def test_a_500_logs_one_line_with_the_traceback_and_sends_none(client_for):
    c = client_for(ROUTES, toml=TOML)
    r = c.get("/boom", headers={"accept": "application/json"})
    assert r.status_code == 500
    assert r.json() == {"error": {"status": 500, "message": "Internal Server Error"}}
    html = c.get("/boom")
    for body in (r.text, html.text):
        assert "Traceback" not in body and "kaboom" not in body and "secret sauce" not in body
    lines = records(c.app)
    errors = [x for x in lines if x["level"] == "ERROR"]
    assert len(errors) == 2 and len(lines) == 4
    err = errors[0]
    assert err["logger"] == "wolfpy" and err["message"] == "unhandled exception in GET /boom"
    assert err["exc_type"] == "ValueError"
    assert err["traceback"].startswith("Traceback (most recent call last):")
    assert "raise ValueError('kaboom: the secret sauce')" in err["traceback"]
    assert err["traceback"].endswith("ValueError: kaboom: the secret sauce")
    # the error and the access line of the same request share its id
    assert err["request_id"] == r.headers["x-request-id"] == access(c.app)[0]["request_id"]
    assert err["method"] == "GET" and err["path"] == "/boom"
    assert access(c.app)[0]["status"] == 500


# -- injection ------------------------------------------------------------------------

def test_control_characters_in_the_path_cannot_forge_lines(client_for):
    c = client_for(ROUTES, toml=TOML)
    forged = '/x%0A{"level":"ERROR","message":"forged"}%0D%0Ay%1B[31m%C2%85%E2%80%A8'
    r = c.get(forged)
    assert r.status_code == 404
    text = log_path(c.app).read_text(encoding="utf-8")
    assert text.count("\n") == 1
    for ch in ("\r", "\x1b", "\x85", "\u2028"):
        assert ch not in text
    [line] = access(c.app)
    assert line["path"] == '/x\n{"level":"ERROR","message":"forged"}\r\ny\x1b[31m\x85\u2028'
    assert line["level"] == "INFO" and line["request_id"] == r.headers["x-request-id"]


def test_control_characters_in_messages_stay_on_one_line(load_app):
    app = load_app(ROUTES, toml=TOML)
    logging.getLogger("wolfpy.app").warning("one\nINFO two\r\x00", extra={"order": 5, "obj": object()})
    [line] = records(app)
    assert line["message"] == "one\nINFO two\r\x00" and line["order"] == 5
    assert line["obj"].startswith("<object object at")
    assert "request_id" not in line  # made outside any request


# -- rotation and levels ---------------------------------------------------------------

def test_rotation_at_max_bytes(client_for):
    c = client_for(ROUTES, toml=TOML + "max_bytes = 700\nbackups = 2\n")
    for _ in range(30):
        assert c.get("/hello").status_code == 200
    folder = log_path(c.app).parent
    assert sorted(p.name for p in folder.iterdir()) == ["app.log", "app.log.1", "app.log.2"]
    for path in folder.iterdir():
        size = path.stat().st_size
        assert 0 < size <= 700, (path.name, size)
        for raw in path.read_text().splitlines():
            assert json.loads(raw)["path"] == "/hello"


def test_a_file_moved_by_logrotate_is_reopened(client_for, monkeypatch):
    from wolfpy.logs import _RotatingFile
    monkeypatch.setattr(_RotatingFile, "CHECK_SECONDS", 0.0)
    c = client_for(ROUTES, toml=TOML)
    c.get("/hello")
    path = log_path(c.app)
    os.replace(path, path.with_name("app.log-20300101"))  # what logrotate (or another worker) does
    c.get("/me")
    assert [x["path"] for x in access(c.app)] == ["/me"]
    assert json.loads(path.with_name("app.log-20300101").read_text())["path"] == "/hello"


def test_level_warning_drops_info(client_for):
    c = client_for(ROUTES, toml=TOML + 'level = "warning"\n')
    assert c.get("/warn").status_code == 200
    c.get("/boom")
    assert [(x["level"], x["message"]) for x in records(c.app)] == [
        ("WARNING", "careful"), ("ERROR", "unhandled exception in GET /boom")]
    careful = records(c.app)[0]
    assert careful["logger"] == "wolfpy.app" and careful["path"] == "/warn" and len(careful["request_id"]) == 32


def test_level_debug_keeps_everything(client_for):
    c = client_for(ROUTES, toml=TOML + 'level = "DEBUG"\n')
    c.get("/warn")
    assert [x["message"] for x in records(c.app)] == ["a debug note", "an info note", "careful", "GET /warn 200"]


@pytest.mark.parametrize("line, message", [
    ('level = "verbose"', "[logging] level: expected one of debug, info, warning, error, got 'verbose'"),
    ("backups = 0", "[logging] backups: expected a whole number of at least 1"),
    ("max_bytes = -1", "[logging] max_bytes: expected a whole number of at least 0"),
    ('file = "maybe"', "[logging] file: expected true or false"),
])
def test_bad_logging_settings_are_one_line_config_errors(load_app, line, message):
    with pytest.raises(ConfigError) as info:
        load_app(ROUTES, toml=TOML + line + "\n")
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_level_from_the_environment(load_app, monkeypatch):
    monkeypatch.setenv("WOLFPY_LOGGING_LEVEL", "error")
    app = load_app(ROUTES, toml=TOML)
    with TestClient(app) as c:
        c.get("/warn")
        c.get("/boom")
    assert [x["level"] for x in records(app)] == ["ERROR"]


# -- handlers: console, file, several apps, cleanup -------------------------------------------

def test_console_only_is_json_on_stderr(client_for, capsys):
    c = client_for(ROUTES, toml=TOML.replace("console = false", "console = true\nfile = false"))
    capsys.readouterr()
    r = c.get("/hello")
    err = capsys.readouterr().err
    [line] = [json.loads(x) for x in err.splitlines() if x.startswith("{")]
    assert line["path"] == "/hello" and line["request_id"] == r.headers["x-request-id"]
    assert not (c.app.project.root / "logs").exists()


def test_app_without_a_project_logs_to_the_console_only(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = App(settings=Settings({"app": {"secret_key": SECRET},
                                 "middleware": {"builtin": ["access_log"]}}))

    @app.route("/hi")
    def hi(request):
        return "hi"
    with TestClient(app) as c:
        capsys.readouterr()
        c.get("/hi")
    [line] = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    assert line["path"] == "/hi" and line["status"] == 200
    assert list(tmp_path.iterdir()) == []


def test_no_duplicate_handlers_for_one_log_file(load_app, make_client):
    first = load_app(ROUTES, toml=TOML)
    second = App(first.project)  # same project, e.g. after a reload
    second.load_routes()
    second.freeze()
    configure_logging(first)  # again: nothing changes
    handlers = [h for h in logging.getLogger("wolfpy").handlers if h.__class__.__module__ == "wolfpy.loghandlers"]
    assert len(handlers) == 1
    make_client(first).get("/hello")
    make_client(second).get("/me")
    assert [x["path"] for x in access(first)] == ["/hello", "/me"]
    close_logging(first)
    assert len([h for h in logging.getLogger("wolfpy").handlers if h in handlers]) == 1  # second still logs
    close_logging(second)
    assert not [h for h in logging.getLogger("wolfpy").handlers if h in handlers]
    assert logging.getLogger("wolfpy").level == logging.NOTSET


def test_two_projects_keep_their_own_lines(make_project, make_client, monkeypatch, tmp_path):
    monkeypatch.setenv("WOLFPY_SECRET_KEY", SECRET)
    apps = []
    for name, level in (("one", "info"), ("two", "warning")):
        root = make_project(ROUTES, TOML + f'level = "{level}"\n', root=tmp_path / name)
        app = App(root)
        app.load_routes()
        app.freeze()
        apps.append(app)
    one, two = apps
    make_client(one).get("/warn")
    make_client(two).get("/warn")
    make_client(one).get("/hello")
    assert [x["message"] for x in records(one)] == ["an info note", "careful", "GET /warn 200", "GET /hello 200"]
    assert [x["message"] for x in records(two)] == ["careful"]


def test_two_apps_log_their_own_requests_to_their_own_files(make_project, make_client, monkeypatch, tmp_path):
    monkeypatch.setenv("WOLFPY_SECRET_KEY", SECRET)
    apps = []
    for name in ("one", "two"):
        app = App(make_project(ROUTES, TOML, root=tmp_path / name))
        app.load_routes()
        app.freeze()
        apps.append(app)
    one, two = apps
    assert one.logging is not two.logging and one.logging.configured and two.logging.configured
    first, second = make_client(one), make_client(two)
    sent = [(client, path, client.get(path).headers["x-request-id"])
            for client, path in ((first, "/hello"), (second, "/me"), (first, "/warn"), (second, "/boom"))]
    for app, client in ((one, first), (two, second)):
        assert [(x["path"], x["request_id"]) for x in access(app)] == [(p, i) for c, p, i in sent if c is client]
    assert [x["message"] for x in records(one) if x["logger"] != "wolfpy.access"] == ["an info note", "careful"]
    assert [x["message"] for x in records(two) if x["logger"] != "wolfpy.access"] == [
        "unhandled exception in GET /boom"]
    logging.getLogger("wolfpy.app").warning("made outside any request")
    assert records(one)[-1]["message"] == records(two)[-1]["message"] == "made outside any request"
    close_logging(one)  # one App shut down: the other keeps its file
    second.get("/hello")
    assert [x["path"] for x in access(two)] == ["/me", "/boom", "/hello"]
    assert [x["path"] for x in access(one)] == ["/hello", "/warn"]


def test_shutdown_closes_the_log_file(load_app, protocol):
    app = load_app(ROUTES, toml=TOML)
    with TestClient(app, protocol=protocol) as c:
        c.get("/hello")
    if protocol == "asgi":  # lifespan shutdown ran App.shutdown
        assert not is_configured(app)
    close_logging(app)
    assert not is_configured(app)
    with TestClient(app, protocol=protocol) as c:  # serving again reopens it
        c.get("/me")
    assert [x["path"] for x in access(app)] == ["/hello", "/me"]


def test_a_collected_app_releases_its_handlers(load_app):
    app = load_app(ROUTES, toml=TOML)
    with TestClient(app) as c:
        c.get("/hello")
    path = log_path(app)
    del app, c
    gc.collect()
    assert wolfpy_handlers() == []
    assert path.read_text().count("\n") == 1


# -- wolfpy log tail ---------------------------------------------------------------------

def run(capsys, *args):
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def served(load_app, monkeypatch):
    """A project whose log holds three requests: /hello, /missing, /boom (and its traceback)."""
    app = load_app(ROUTES, toml=TOML)
    with TestClient(app) as c:
        ids = [c.get(url).headers["x-request-id"] for url in ("/hello", "/missing", "/boom")]
    close_logging(app)
    monkeypatch.chdir(app.project.root)
    return app, ids


def test_log_tail_pretty(served, capsys):
    app, ids = served
    code, out, err = run(capsys, "log", "tail", "-n", "2")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 2
    error, last = lines
    assert re.match(rf"^\S+Z ERROR +GET /boom - - {ids[2]} unhandled exception in GET /boom \[ValueError\]$",
                    error)
    assert re.match(rf"^\S+Z INFO +GET /boom 500 [\d.]+ms {ids[2]}$", last)


def test_log_tail_default_and_raw(served, capsys):
    app, ids = served
    code, out, _ = run(capsys, "log", "tail")
    assert code == 0 and len(out.splitlines()) == 4
    code, out, _ = run(capsys, "log", "tail", "--raw", "-n", "3")
    assert code == 0
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["request_id"] for x in lines] == [ids[1], ids[2], ids[2]]
    assert "Traceback" in lines[1]["traceback"]
    assert out.splitlines() == log_path(app).read_text().splitlines()[-3:]


def test_log_tail_escapes_control_characters(load_app, monkeypatch, capsys):
    app = load_app(ROUTES, toml=TOML)
    with TestClient(app) as c:
        c.get("/a%0Ab%1B[2J")
    close_logging(app)
    monkeypatch.chdir(app.project.root)
    code, out, _ = run(capsys, "log", "tail", "-n", "1")
    assert code == 0 and out.count("\n") == 1 and "\x1b" not in out
    assert " /a\\nb\\x1b[2J 404 " in out


def test_log_tail_without_a_log_file(make_project, monkeypatch, capsys):
    monkeypatch.chdir(make_project(ROUTES, TOML))
    code, out, err = run(capsys, "log", "tail")
    assert code == 1 and out == ""
    assert err.startswith("error: no log file yet (logs/app.log)") and err.count("\n") == 1


def test_log_tail_outside_a_project(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "log", "tail")
    assert code == 1 and err.startswith("error: no wolfpy.toml found") and err.count("\n") == 1


def test_log_tail_follow_picks_up_new_lines(served):
    app, ids = served
    path = log_path(app)
    lines: queue.Queue[str] = queue.Queue()
    cmd = [sys.executable, "-c", "from wolfpy.cli.main import main; main()", "log", "tail", "-f", "-n", "1"]
    with subprocess.Popen(cmd, cwd=app.project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True)
        reader.start()
        try:
            first = lines.get(timeout=30)
            assert "GET /boom 500" in first and ids[2] in first
            with open(path, "a", encoding="utf-8") as f:
                f.write(json.dumps({"time": "2030-01-01T00:00:00.000Z", "level": "INFO", "logger": "wolfpy.access",
                                    "message": "GET /later 201", "request_id": "later1", "method": "GET",
                                    "path": "/later", "status": 201, "duration_ms": 1.5}) + "\n")
            second = lines.get(timeout=30)
            assert second.rstrip("\n") == "2030-01-01T00:00:00.000Z INFO    GET /later 201 1.5ms later1"
        finally:
            proc.kill()
            proc.wait(timeout=30)
        reader.join(timeout=30)


def test_follow_handles_rotation_and_truncation(tmp_path):
    from wolfpy.cli.commands.log import follow

    path = tmp_path / "app.log"
    path.write_bytes(b"old\n")

    def take(gen, count):
        got = []
        for _ in range(200):
            item = next(gen)
            if item is not None:
                got.append(item)
                if len(got) == count:
                    return got
        raise AssertionError(f"only {got}")

    with open(path, "rb") as f:
        gen = follow(f, str(path), path.stat().st_size, poll=0.01)
        try:
            with open(path, "ab") as w:
                w.write(b"one\ntw")
            assert take(gen, 1) == [b"one"]
            with open(path, "ab") as w:
                w.write(b"o\n")
            assert take(gen, 1) == [b"two"]
            # rotation: the writer renames the file, adds a last line to it, and starts a new one
            with open(path, "ab") as w:
                w.write(b"three\n")
            os.replace(path, tmp_path / "app.log.1")
            with open(tmp_path / "app.log.1", "ab") as w:
                w.write(b"four\n")
            path.write_bytes(b"five\n")
            assert take(gen, 3) == [b"three", b"four", b"five"]
            # truncation
            path.write_bytes(b"six\n")
            assert take(gen, 1) == [b"six"]
        finally:
            gen.close()


@pytest.mark.parametrize("path, user, duration", [
    ("/", None, 0.123),
    ('/a"b\\c', "ada", None),
    ("/caf\u00e9/\u65e5\u672c", 7, 12.5),
    ("/x\u2028y\x1b[31m\x85z\x00", "e\u0301ve\n", 0.0),
    ("/t", True, 1e-05),            # a bool user, a float in exponent form
    ("/n", "bob", float("nan")),    # not finite: the general path
    ("/big", 2 ** 70, 3.0),
])
def test_access_line_fast_path_matches_the_general_format(path, user, duration):
    from wolfpy.logformat import JSONFormatter

    def record(marker: bool) -> logging.LogRecord:
        r = logging.LogRecord("wolfpy.access", logging.INFO, "wolfpy.access", 0, "%s %s %s", ("GET", path, 200), None)
        r.__dict__.update(request_id="0f" * 16, method="GET", path=path, status=200, duration_ms=duration,
                          user=user, client_ip="10.0.0.1", _wolfpy_app=None)
        r.created = 1764477000.25  # both records made at the same moment
        if marker:  # an attribute the fast path does not know: the record takes the general path
            r.__dict__["_other"] = 1
        return r
    fast, general = JSONFormatter().format(record(False)), JSONFormatter().format(record(True))
    assert fast == general
    assert "\n" not in fast and "\u2028" not in fast and "\x1b" not in fast and "\x85" not in fast
    parsed = json.loads(fast)
    assert parsed["path"] == path and parsed["message"] == f"GET {path} 200"


def test_access_line_without_a_record_when_only_wolfpy_listens(client_for, monkeypatch):
    """With no other handler anywhere (as under gunicorn or uvicorn), the access line is
    queued without a LogRecord; it reads exactly as the record's line does."""
    c = client_for(ROUTES, toml=TOML)
    handled: list[str] = []
    original = logging.Logger.handle

    def counting(self, record):
        handled.append(record.name)
        return original(self, record)
    monkeypatch.setattr(logging.Logger, "handle", counting)
    c.get("/me", headers={"x-user": "ali\u00e7e \"q\""})   # pytest's capture handler is on the root logger
    assert handled == ["wolfpy.access"]
    monkeypatch.setattr(logging.root, "handlers", [])        # nothing but WolfPy's handlers
    c.get("/me", headers={"x-user": "ali\u00e7e \"q\""})
    assert handled == ["wolfpy.access"]                      # no record this time
    raw = [x for x in log_path(c.app).read_text(encoding="utf-8").splitlines() if '"wolfpy.access"' in x]
    general, fast = (json.loads(x) for x in raw)
    assert list(general) == list(fast)                      # the same fields, in the same order
    for key in ("time", "request_id", "duration_ms"):
        general.pop(key), fast.pop(key)
    assert general == fast and fast["user"] == "ali\u00e7e \"q\""
    listener = logging.Handler()
    seen: list[logging.LogRecord] = []
    listener.emit = seen.append  # type: ignore[method-assign]
    logging.getLogger("wolfpy.access").addHandler(listener)  # someone else listens: records again
    try:
        c.get("/hello")
    finally:
        logging.getLogger("wolfpy.access").removeHandler(listener)
    assert [r.getMessage() for r in seen] == ["GET /hello 200"]
    assert len([x for x in log_path(c.app).read_text().splitlines() if '"wolfpy.access"' in x]) == 3
