"""End to end: the reloading ``wolfpy serve`` notices every save of ``wolfpy.toml`` and ``.env``.

Editors and ``sed -i`` save by writing a new file and renaming it over the old one. Each
such save below (several in a row, an invalid TOML among them, then the fixes) must
reach the served app, which reports the setting it sees.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import pytest

from .test_devserver import CliServer, get, new_project, poll, serve  # noqa: F401  (serve: a fixture)

pytestmark = pytest.mark.e2e


def save_by_rename(path: Path, text: str) -> None:
    """What most editors do: write a temporary file beside ``path``, rename it over ``path``."""
    temp = path.with_name(f".{path.name}.saving")
    temp.write_text(text)
    os.replace(temp, path)


def served_name(server: CliServer, expected: str) -> None:
    def seen(reply) -> bool:  # type: ignore[no-untyped-def]
        return reply.status == 200 and json.loads(reply.text)["name"] == expected
    reply, _ = poll(server.port, "/name", seen, server=server)
    assert reply.headers["content-type"].startswith("application/json")


def test_every_replacing_save_of_wolfpy_toml_and_env_is_picked_up(
        tmp_path: Path, serve: Callable[..., CliServer]) -> None:  # noqa: F811
    project = new_project(tmp_path)
    (project / "routes/name.py").write_text(
        "def get(request):\n    return {\"name\": request.app.settings.app.name}\n")
    toml = project / "wolfpy.toml"
    original = toml.read_text()
    assert 'name = "demo"' in original
    server = serve(project).wait_ready()
    served_name(server, "demo")

    for version in ("v1", "v2"):
        save_by_rename(toml, original.replace('name = "demo"', f'name = "{version}"'))
        served_name(server, version)

    save_by_rename(toml, original.replace("[app]", "[app", 1))       # invalid TOML
    reply, _ = poll(server.port, "/name", lambda r: r.status == 500, server=server)
    assert "invalid TOML" in reply.text and "wolfpy.toml" in reply.text

    for version in ("v3", "v4", "v5"):                               # and three fixes
        save_by_rename(toml, original.replace('name = "demo"', f'name = "{version}"'))
        served_name(server, version)
        assert get(server.port, "/").status == 200

    env = project / ".env"
    key_line = env.read_text()
    for version in ("env1", "env2"):
        save_by_rename(env, key_line + f"WOLFPY_APP_NAME={version}\n")
        served_name(server, version)
