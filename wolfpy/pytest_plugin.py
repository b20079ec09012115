"""pytest plugin (registered through the ``pytest11`` entry point): ``app`` and ``client`` fixtures.

In a WolfPy project, ``app`` is the project found from the current directory, on a
throw-away database: a new SQLite file for each test (or ``$WOLFPY_TEST_DATABASE_URL``,
a PostgreSQL or MySQL database created on first use when it does not exist yet) with a
table for every model, so tests never touch the development database. ``client``
is a :class:`~wolfpy.testing.TestClient` for it whose form posts carry the session's CSRF
token (``client.post(url, data=..., csrf=False)`` sends none), and ``client.login(user)``
signs a user in. Override either fixture in a
``conftest.py`` to change that.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Iterator

import pytest


def pytest_configure(config: Any) -> None:
    # Inside a project, its root goes on sys.path, so tests import `models.post` as routes do.
    from .errors import ProjectNotFound
    from .project import Project
    try:
        project = Project.discover(os.environ.get("WOLFPY_PROJECT", os.getcwd()))
    except ProjectNotFound:
        return
    root = str(project.root)
    if root not in sys.path:
        sys.path.insert(0, root)


_READY: dict[str, str] = {}   # test database URL -> "" when ready, else why not


def ensure_test_database(url: str, root: Any) -> None:
    """Create the database ``url`` names when it does not exist (PostgreSQL, MySQL), once per
    run; when that cannot be done, end the run with one line saying why."""
    if url not in _READY:
        from .db.database import database_from_url
        from .db.migrations.runner import create_database, safe_url
        why = ""
        try:
            db = database_from_url(url, root, pooled=False)
            try:
                create_database(db)
            finally:
                if not db.is_closed():
                    db.close()
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            why = f"WOLFPY_TEST_DATABASE_URL={safe_url(url)}: cannot use or create that database: {first}"
        _READY[url] = why
    if _READY[url]:
        pytest.exit(f"error: {_READY[url]}", returncode=1)


@pytest.fixture
def app(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from .app import load
    url = os.environ.get("WOLFPY_TEST_DATABASE_URL")
    if url and not url.startswith("sqlite"):
        ensure_test_database(url, os.environ.get("WOLFPY_PROJECT", os.getcwd()))
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('wolfpy-db') / 'test.sqlite3'}"
    monkeypatch.setenv("WOLFPY_DATABASE_URL", url)  # the most specific override: it always wins
    application = load(os.environ.get("WOLFPY_PROJECT", os.getcwd()))
    models = application.models
    if models:
        application.database.create_tables(models)
        application.database.close()
    yield application
    if models:
        application.database.drop_tables(list(reversed(models)))
        application.database.close()


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from .testing import TestClient
    with TestClient(app) as c:
        yield c
from .mail.testing import outbox as outbox  # noqa: E402,F401  (the `outbox` fixture)
