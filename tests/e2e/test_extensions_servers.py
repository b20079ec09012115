"""A plugin installed beside a project and switched on in ``[plugins] enabled`` serves its
routes, template, static files and settings under real gunicorn and uvicorn, and its
command runs from the `wolfpy` CLI (tests/plugin_fixture.py is the plugin)."""
from __future__ import annotations

import http.client
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from ..plugin_fixture import install_plugin
from .conftest import HOST, Server, server_env, write_project

pytestmark = pytest.mark.e2e

TOML = """
[app]
allowed_hosts = ["127.0.0.1"]

[plugins]
enabled = ["hello"]

[hello]
greeting = "Bonjour"
"""


def fetch(port: int, path: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["gunicorn", "uvicorn"])
def test_a_plugin_serves_under_real_servers(kind: str, tmp_path: Path,
                                           run_server: Callable[..., Server]) -> None:
    site = install_plugin(tmp_path / "site")
    project = write_project(tmp_path / "proj", {"routes/index.py": "def get(request):\n    return 'home'\n"}, TOML)
    env = server_env(hosts=None)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    server = run_server(kind, project, env).wait_ready()
    status, headers, body = fetch(server.port, "/hello?name=%3Cscript%3E")
    assert status == 200, body
    assert "Bonjour, &lt;script&gt;!" in body and headers["x-hello"] == "1"
    assert fetch(server.port, "/hello/api/3")[2] == '{"n":3,"greeting":"Bonjour"}'
    status, headers, body = fetch(server.port, "/static/hello/hello.css")
    assert status == 200 and "teal" in body and headers["content-type"].startswith("text/css")
    assert "x-hello" not in fetch(server.port, "/")[1]
def test_a_plugin_command_runs_from_the_cli(tmp_path: Path) -> None:
    site = install_plugin(tmp_path / "site")
    project = write_project(tmp_path / "proj", {"routes/index.py": "def get(request):\n    return 'home'\n"}, TOML)
    env = server_env()
    env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    run = subprocess.run([sys.executable, "-m", "wolfpy.cli.main", "hello", "greet", "you"], cwd=project,
                         env=env, capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (0, "hello, you\n", "")
    listing = subprocess.run([sys.executable, "-m", "wolfpy.cli.main", "--help"], cwd=project, env=env,
                             capture_output=True, text=True, timeout=60)
    assert "hello" in listing.stdout and "Greetings from the acme_hello plugin." in listing.stdout
