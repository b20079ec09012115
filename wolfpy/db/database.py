"""``[database] url`` → a peewee database: SQLite (the embedded default), PostgreSQL, MySQL."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee

from ..context import request_or_none
from ..errors import ConfigError, MissingExtra
from .sqlcache import CachedSQL


class AppDatabaseProxy(peewee.DatabaseProxy):
    """The database of the App serving the current request; outside a request, the one
    the last App to bind its models pointed it at (``obj``).

    peewee binds a model to one database object when its class is made, so every
    ``wolfpy.db.Model`` shares this one proxy, and it is process-wide for that reason.
    What it stands for is chosen on each use: while a request is served, the database
    of that request's App when the App has models; otherwise ``obj``. So two Apps in one
    process each read and write their own database in their own requests. Outside a
    request (a script, a thread the handler started, a shell) there is no App to ask,
    and the last App bound wins.
    """

    def current(self) -> Any:
        """The database a query made now goes to (None before any App bound its models)."""
        request = request_or_none()
        if request is not None:
            app = request.app
            if app.models:
                return app.database
        return self.obj

    def __getattr__(self, attr: str) -> Any:
        database = self.current()
        if database is None:
            raise AttributeError("Cannot use uninitialized Proxy.")
        return getattr(database, attr)

    def __enter__(self) -> Any:
        return self.__getattr__("__enter__")()

    def __exit__(self, *exc_info: Any) -> Any:
        return self.__getattr__("__exit__")(*exc_info)


# The proxy ``wolfpy.db.Model`` binds to: the request's App's database (see above).
DATABASE = AppDatabaseProxy()

_DRIVERS = {
    "postgresql": ("psycopg2", "postgres", "psycopg2-binary", "PostgreSQL"),
    "mysql": ("pymysql", "mysql", "PyMySQL", "MySQL"),
}


def database_from_url(url: str, root: Path | str | None = None, *, pooled: bool = True) -> peewee.Database:
    """A peewee database for ``url``.

    - ``sqlite:///db.sqlite3`` (relative to ``root``), ``sqlite:////abs/path.db``,
      ``sqlite:///:memory:`` — WAL journal, foreign keys on;
    - ``postgresql://user:pass@host:5432/name`` (psycopg2; pooled, see :mod:`wolfpy.db.pool`);
    - ``mysql://user:pass@host:3306/name`` (PyMySQL; pooled; utf8mb4).

    Raises:
        ConfigError: a URL WolfPy cannot use.
        MissingExtra: the driver is not installed (names the extra to install).
    """
    if not url:
        raise ConfigError("[database] url is empty (e.g. sqlite:///db.sqlite3)")
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0].lower()
    if scheme == "sqlite":
        return _sqlite(url, root)
    if scheme in ("postgres", "postgresql"):
        scheme = "postgresql"
    if scheme not in _DRIVERS:
        raise ConfigError(f"[database] url: unsupported scheme {parts.scheme!r} "
                          "(use sqlite://, postgresql:// or mysql://)")
    module, extra, package, name = _DRIVERS[scheme]
    if importlib.util.find_spec(module) is None:
        raise MissingExtra(extra, package, f"{name} ([database] url = {parts.scheme}://...)")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise ConfigError(f"[database] url: no database name in {scheme}://...")
    options: dict[str, Any] = {
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "host": parts.hostname or "localhost",
    }
    if parts.port:
        options["port"] = parts.port
    options.update(dict(parse_qsl(parts.query)))
    options = {k: v for k, v in options.items() if v is not None}
    if scheme == "postgresql":
        if pooled:
            from .pool import PostgresqlPool
            return PostgresqlPool(dbname, max_connections=32, stale_timeout=300, **options)
        return peewee.PostgresqlDatabase(dbname, **options)
    options.setdefault("charset", "utf8mb4")
    if pooled:
        from .pool import MySQLPool
        return MySQLPool(dbname, max_connections=32, stale_timeout=300, **options)
    return peewee.MySQLDatabase(dbname, **options)


def _sqlite(url: str, root: Path | str | None) -> peewee.SqliteDatabase:
    # sqlite:///relative.db, sqlite:////absolute.db, sqlite:///:memory:
    rest = url.split(":", 1)[1]
    if not rest.startswith("///"):
        raise ConfigError(f"[database] url: write SQLite URLs as sqlite:///path (got {url!r})")
    path = rest[3:].split("?", 1)[0]
    if not path:
        raise ConfigError("[database] url: no SQLite file in sqlite:///")
    if path != ":memory:" and not os.path.isabs(path):
        path = os.path.join(os.fspath(root or os.getcwd()), path)
    return _SqliteDatabase(path, pragmas={"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000})


class _SqliteDatabase(CachedSQL, peewee.SqliteDatabase):
    """Creates the file's folder on first connect (not before: a dry run must not touch disk);
    caches the SQL text of common query shapes (:mod:`wolfpy.db.sqlcache`).

    A request's connection is kept open for the next request of the same thread
    (:meth:`release_connection`): opening one and setting its pragmas costs far more than a small
    query. Before a kept connection serves again, the file is looked at once (``stat``):
    a file deleted or replaced meanwhile (``wolfpy db reset``) gets a new connection.
    """

    def _connect(self) -> Any:
        if self.database != ":memory:":
            Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        return super()._connect()  # type: ignore[misc]

    def _initialize_connection(self, conn: Any) -> None:
        super()._initialize_connection(conn)  # type: ignore[misc]
        self._state.file = self._file()  # type: ignore[attr-defined]

    def _file(self) -> tuple[int, int] | None:
        if self.database == ":memory:":
            return None
        try:
            st = os.stat(self.database)
        except OSError:
            return (-1, -1)
        return st.st_dev, st.st_ino

    def release_connection(self) -> None:
        """The end of a request: this thread's connection stays open for its next one,
        with what the request left uncommitted rolled back, as closing it would have."""
        state = self._state  # type: ignore[attr-defined]
        if state.closed:
            return
        if self.in_transaction():
            self.close()   # an atomic() block left open: refused, as close() always did
            return
        conn = state.conn
        if conn.in_transaction:
            conn.rollback()
        state.recheck = True

    def cursor(self, named_cursor: Any = None) -> Any:
        state = self._state  # type: ignore[attr-defined]
        if getattr(state, "recheck", False):
            state.recheck = False
            if not state.closed and self._file() != getattr(state, "file", None):
                self.close()   # the file was deleted or replaced: connect to the new one
        return super().cursor(named_cursor)  # type: ignore[misc]


def backend_name(db: peewee.Database) -> str:
    """"sqlite", "postgresql" or "mysql"."""
    if isinstance(db, AppDatabaseProxy):
        db = db.current()
    elif isinstance(db, peewee.DatabaseProxy):
        db = db.obj
    if isinstance(db, peewee.SqliteDatabase):
        return "sqlite"
    if isinstance(db, peewee.PostgresqlDatabase):
        return "postgresql"
    if isinstance(db, peewee.MySQLDatabase):
        return "mysql"
    return type(db).__name__.lower()
