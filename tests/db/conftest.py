"""Fixtures for the migration tests: a project on a throw-away database, and the real CLI.

Each PostgreSQL or MySQL test gets its own database ``wolfpy_t_<random>``, created on
the test server and dropped afterwards; no other database is touched. The URL reaches
the project through ``DATABASE_URL``, as it would in production.
"""
from __future__ import annotations

import secrets
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import peewee
import pytest

from tests.services import service_url
from wolfpy.cli.main import main
from wolfpy.db import database_from_url

BACKENDS = ["sqlite", "postgresql", "mysql"]
SERVICE = {"postgresql": "postgres", "mysql": "mysql"}

MODELS = """
    from wolfpy.db import Model, CharField, TextField, BooleanField, ForeignKeyField

    class User(Model):
        name = CharField(max_length=100, unique=True)

    class Post(Model):
        author = ForeignKeyField(User, backref="posts", on_delete="CASCADE")
        title = CharField(max_length=200)
        body = TextField()
        published = BooleanField(default=False)
"""


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def error_line(self) -> str:
        lines = self.err.strip().splitlines()
        return lines[-1] if lines else ""


def run_cli(*args: str) -> int:
    """``wolfpy ARGS`` in-process (cwd is the project): its exit code."""
    try:
        main(list(args))
        return 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)


class DbProject:
    """A WolfPy project in ``root`` whose database is ``url`` (on ``backend``)."""

    def __init__(self, root: Path, url: str, backend: str, capsys: Any) -> None:
        self.root, self.url, self.backend, self._capsys = root, url, backend, capsys
        self._dbs: list[peewee.Database] = []

    # -- files ---------------------------------------------------------------------
    def write(self, rel: str, source: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        return path

    def models(self, source: str = MODELS) -> None:
        self.write("models/post.py", source)

    def migrations(self) -> list[str]:
        folder = self.root / "migrations"
        return sorted(p.name for p in folder.glob("*.py")) if folder.is_dir() else []

    def migration(self, name_prefix: str) -> str:
        for name in self.migrations():
            if name.startswith(name_prefix):
                return (self.root / "migrations" / name).read_text()
        raise AssertionError(f"no migration {name_prefix}: {self.migrations()}")

    # -- the CLI -------------------------------------------------------------------
    def cli(self, *args: str) -> Result:
        self._capsys.readouterr()
        code = run_cli(*args)
        out = self._capsys.readouterr()
        return Result(code, out.out, out.err)

    def ok(self, *args: str) -> Result:
        result = self.cli(*args)
        assert result.code == 0, f"wolfpy {' '.join(args)} failed:\n{result.out}\n{result.err}"
        return result

    # -- the database --------------------------------------------------------------
    def db(self) -> peewee.Database:
        db = database_from_url(self.url, self.root, pooled=False)
        self._dbs.append(db)
        return db

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        db = self.db()
        try:
            return list(db.execute_sql(sql).fetchall())
        finally:
            db.close()

    def execute(self, *statements: str) -> None:
        db = self.db()
        try:
            for sql in statements:
                db.execute_sql(sql)
        finally:
            db.close()

    def q(self, name: str) -> str:
        return f"`{name}`" if self.backend == "mysql" else f'"{name}"'

    def schema(self) -> dict[str, Any]:
        """Introspected tables (without wolfpy_migrations): columns, indexes, foreign keys."""
        if self.backend == "sqlite" and not (self.root / "db.sqlite3").exists():
            return {}
        db = self.db()
        try:
            out = {}
            for table in db.get_tables():
                if table == "wolfpy_migrations":
                    continue
                out[table] = {
                    "columns": [(c.name, c.data_type.lower(), c.null, c.primary_key)
                                for c in db.get_columns(table)],
                    "indexes": sorted((i.name, tuple(i.columns), i.unique) for i in db.get_indexes(table)),
                    "fks": sorted((f.column, f.dest_table, f.dest_column) for f in db.get_foreign_keys(table)),
                }
            return out
        finally:
            db.close()

    def columns(self, table: str) -> list[str]:
        return [c[0] for c in self.schema()[table]["columns"]]

    def applied(self) -> list[str]:
        if self.backend == "sqlite" and not (self.root / "db.sqlite3").exists():
            return []
        db = self.db()
        try:
            if not db.table_exists("wolfpy_migrations"):
                return []
            return [r[0] for r in db.execute_sql("SELECT name FROM wolfpy_migrations ORDER BY name")]
        finally:
            db.close()

    def close(self) -> None:
        for db in self._dbs:
            if not db.is_closed():
                db.close()


def _admin(backend: str) -> peewee.Database:
    return database_from_url(service_url(SERVICE[backend]), pooled=False)


def _drop(backend: str, name: str) -> None:
    admin = _admin(backend)
    admin.connect()
    try:
        if backend == "postgresql":
            # FORCE cannot end a server process of another role (an autovacuum worker that
            # just started on the new database): it is gone a moment later.
            for attempt in range(20):
                try:
                    admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    break
                except peewee.ProgrammingError:
                    if attempt == 19:
                        raise
                    time.sleep(0.25)
        else:
            admin.execute_sql(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        admin.close()


@pytest.fixture
def throwaway_url(request: pytest.FixtureRequest) -> Iterator[Any]:
    """``make(backend, create=True)``: the URL of a new database ``wolfpy_t_<random>``."""
    made: list[tuple[str, str]] = []

    def make(backend: str, create: bool = True) -> str:
        base = service_url(SERVICE[backend])
        name = f"wolfpy_t_{secrets.token_hex(5)}"
        made.append((backend, name))
        if create:
            admin = _admin(backend)
            admin.connect()
            try:
                admin.execute_sql(f"CREATE DATABASE {name}")
            finally:
                admin.close()
        parts = urlsplit(base)
        return urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))

    yield make
    for backend, name in made:
        _drop(backend, name)


@pytest.fixture(autouse=True)
def _fresh_imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Model files are rewritten within a second: never let a stale .pyc answer."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("WOLFPY_DATABASE_URL", raising=False)
    def forget() -> None:
        for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
            del sys.modules[name]
    path = list(sys.path)
    forget()
    yield
    forget()
    sys.path[:] = path


def _make_project(tmp_path: Path, backend: str, url: str | None, capsys: Any,
                  monkeypatch: pytest.MonkeyPatch) -> DbProject:
    root = tmp_path / "proj"
    (root / "routes").mkdir(parents=True)
    (root / "wolfpy.toml").write_text('[app]\ndebug = false\n\n[database]\nurl = "sqlite:///db.sqlite3"\n')
    if url is None:
        url = "sqlite:///db.sqlite3"
    else:
        monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(root)
    return DbProject(root, url, backend, capsys)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def project(backend: str, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch,
            throwaway_url: Any) -> Iterator[DbProject]:
    """A project with the User/Post models on each backend (its own database each time)."""
    url = None if backend == "sqlite" else throwaway_url(backend)
    proj = _make_project(tmp_path, backend, url, capsys, monkeypatch)
    proj.models()
    yield proj
    proj.close()


@pytest.fixture
def sqlite_project(tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[DbProject]:
    """The same project, on SQLite only (for behaviour that does not depend on the backend)."""
    proj = _make_project(tmp_path, "sqlite", None, capsys, monkeypatch)
    proj.models()
    yield proj
    proj.close()


@pytest.fixture
def empty_project(tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``make(backend, url)``: a project without models on the given database URL."""
    def make(backend: str, url: str | None = None) -> DbProject:
        return _make_project(tmp_path, backend, url, capsys, monkeypatch)
    return make
