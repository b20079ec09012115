"""Shared fixtures: every HTTP behaviour is tested under WSGI and ASGI."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from wolfpy import App
from wolfpy.testing import TestClient

SECRET = "test-secret-key-" + "x" * 32


@pytest.fixture(params=["wsgi", "asgi"])
def protocol(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Write a project: ``make_project({"routes/index.py": "def get(r): ..."}, toml="...")``."""
    def make(files: dict[str, str], toml: str = "[app]\ndebug = false\n", root: Path | None = None) -> Path:
        base = root or tmp_path / "proj"
        base.mkdir(parents=True, exist_ok=True)
        (base / "wolfpy.toml").write_text(toml)
        (base / "routes").mkdir(exist_ok=True)
        for rel, source in files.items():
            path = base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        return base
    return make


@pytest.fixture
def load_app(make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Callable[..., App]:
    """Build a project and load it as a frozen App."""
    monkeypatch.setenv("WOLFPY_SECRET_KEY", SECRET)

    def load(files: dict[str, str], toml: str = "[app]\ndebug = false\n", **kw: Any) -> App:
        root = make_project(files, toml)
        app = App(root, **kw)
        app.load_routes()
        app.freeze()
        return app
    return load


@pytest.fixture
def make_client(protocol: str) -> Iterator[Callable[[App], TestClient]]:
    clients: list[TestClient] = []

    def make(app: App, **kw: Any) -> TestClient:
        c = TestClient(app, protocol=protocol, **kw)
        clients.append(c)
        return c
    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client_for(load_app: Callable[..., App], make_client: Callable[[App], TestClient]) -> Callable[..., TestClient]:
    """``client_for({files})``: a project, loaded, with a client of the current protocol."""
    def make(files: dict[str, str], toml: str = "[app]\ndebug = false\n", **kw: Any) -> TestClient:
        return make_client(load_app(files, toml, **kw))
    return make
