"""End to end: a project made by ``wolfpy new`` never shows its debug page from a production
server unless that is asked for in the server's environment.

- real gunicorn (``wolfpy.wsgi``), real uvicorn (``wolfpy.asgi``) and ``wolfpy serve --prod``:
  an exception in a route is a plain 500 page, with no traceback, source or locals (and
  ``serve --prod`` prints no warning about the realtime backend, a feature not built yet);
- ``wolfpy serve`` (development) still shows the debug page;
- ``debug = true`` in wolfpy.toml stops a production server with one ``error:`` line;
- ``WOLFPY_APP_DEBUG=1`` in a server's environment is honoured, with a warning, and is
  development (``.env`` read): the way to run a server in the project folder while developing;
- without it a server does not read ``.env``, and says so when the key is missing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from .conftest import SECRET, Server, server_env
from .test_devserver import CliServer, get, new_project, serve  # noqa: F401  (serve: a fixture)

pytestmark = pytest.mark.e2e

BOOM = '''\
def get(request):
    hidden_local = "LOCAL-VALUE-" + "7f3a"
    raise RuntimeError("MESSAGE-" + "c21e")
'''


def secrets_of(text: str) -> list[str]:
    """What the debug page would give away, found in ``text``."""
    return [s for s in ("Traceback", "LOCAL-VALUE-7f3a", "MESSAGE-c21e", "hidden_local", "RuntimeError",
                        "boom.py", "raise ") if s in text]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    project = new_project(tmp_path)
    (project / "routes/boom.py").write_text(BOOM)
    return project


@pytest.mark.parametrize("kind", ["gunicorn", "uvicorn"])
def test_a_new_project_under_a_server_shows_a_plain_500(kind: str, demo: Path, run_server: Callable[..., Server]) -> None:
    server = run_server(kind, demo, server_env(secret=SECRET)).wait_ready()
    assert get(server.port, "/").status == 200
    reply = get(server.port, "/boom")
    assert reply.status == 500
    assert reply.headers["content-type"].startswith("text/html")
    assert "Internal Server Error" in reply.text
    assert secrets_of(reply.text) == [], reply.text
    assert "warning: debug is on" not in server.stderr()


def test_serve_prod_shows_a_plain_500(demo: Path, serve: Callable[..., CliServer]) -> None:  # noqa: F811
    server = serve(demo, ("--prod", "--workers", "2"), server_env(secret=SECRET)).wait_ready(30)
    reply = get(server.port, "/boom")
    assert reply.status == 500
    assert secrets_of(reply.text) == [], reply.text
    # Rooms and presence are not built yet: no warning about the realtime backend.
    assert "realtime" not in server.output(), server.output()


def test_wolfpy_serve_still_shows_the_debug_page(demo: Path, serve: Callable[..., CliServer]) -> None:  # noqa: F811
    server = serve(demo, ("--no-reload",)).wait_ready()
    reply = get(server.port, "/boom")
    assert reply.status == 500
    for shown in ("Traceback", "RuntimeError", "MESSAGE-c21e", "hidden_local", "LOCAL-VALUE-7f3a"):
        assert shown in reply.text, shown


@pytest.mark.parametrize("reload", [(), ("--no-reload",)], ids=["reload", "no-reload"])
def test_serve_no_debug_shows_a_plain_500(reload: tuple[str, ...], demo: Path,
                                          serve: Callable[..., CliServer]) -> None:  # noqa: F811
    server = serve(demo, (*reload, "--no-debug")).wait_ready()
    reply = get(server.port, "/boom")
    assert reply.status == 500
    assert secrets_of(reply.text) == [], reply.text
    assert "/_wolfpy/livereload" not in get(server.port, "/").text


@pytest.mark.parametrize("kind", ["gunicorn", "uvicorn"])
def test_debug_true_in_wolfpy_toml_stops_a_server(kind: str, demo: Path, run_server: Callable[..., Server]) -> None:
    toml = demo / "wolfpy.toml"
    toml.write_text(toml.read_text().replace("[app]\n", "[app]\ndebug = true\n", 1))
    server = run_server(kind, demo, server_env(secret=SECRET))
    code = server.wait_exit(20)
    err = server.stderr()
    assert code != 0, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "debug = true" in lines[0] and "WOLFPY_APP_DEBUG=1" in lines[0], lines[0]
    assert "Traceback" not in err


def test_a_server_does_not_read_dotenv(demo: Path, run_server: Callable[..., Server]) -> None:
    assert "WOLFPY_SECRET_KEY=" in (demo / ".env").read_text()
    server = run_server("uvicorn", demo, server_env(secret=None))
    code = server.wait_exit(20)
    err = server.stderr()
    assert code != 0, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "no secret key" in lines[0] and ".env" in lines[0], err


def test_wolfpy_app_debug_in_the_environment_is_honoured_loudly(demo: Path,
                                                               run_server: Callable[..., Server]) -> None:
    # No key in the environment: asking for debug is development, so .env provides it.
    server = run_server("gunicorn", demo, server_env(secret=None, WOLFPY_APP_DEBUG="1")).wait_ready()
    reply = get(server.port, "/boom")
    assert reply.status == 500
    assert "Traceback" in reply.text and "LOCAL-VALUE-7f3a" in reply.text
    warnings = [line for line in server.stderr().splitlines() if line.startswith("warning: debug is on")]
    assert warnings and "anyone" in warnings[0], server.stderr()
