"""What ``wolfpy db`` does, without the prompts: open the database, read the models, plan.

The command line (``wolfpy/cli/commands/db.py``) asks the questions and prints; this
module reads and decides, so the same steps are usable from Python.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit, urlunsplit

import peewee

from ...errors import MigrationError
from ..database import backend_name, database_from_url
from ..models import discover_models
from .autodetector import Changes, RenameHint, autodetect, clean_name, migration_name, parse_renames
from .loader import BranchConflict, Migration, MigrationLoader
from .state import State, backfills, equal, models_state
from .writer import write_migration

_IMPORT_LOCK = threading.Lock()


def load_models(project: Any) -> list[type]:
    """The project's models, imported afresh: a file edited since the last import is read again.

    Only for commands that import models to look at them (never in a running app):
    the ``models`` package is dropped from ``sys.modules`` first.
    """
    with _IMPORT_LOCK:
        for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
            del sys.modules[name]
        importlib.invalidate_caches()
        folder = Path(project.models)
        if folder.is_dir():
            # Bind the name ``models`` to this project's folder first: otherwise any
            # ``models`` package elsewhere on sys.path (another project, site-packages)
            # would win over a folder without __init__.py.
            init = folder / "__init__.py"
            spec: Any = (importlib.util.spec_from_file_location(
                "models", init, submodule_search_locations=[str(folder)]) if init.is_file()
                else importlib.machinery.ModuleSpec("models", None, is_package=True))
            spec.submodule_search_locations = [str(folder)]
            module = importlib.util.module_from_spec(spec)
            sys.modules["models"] = module
            if init.is_file():
                try:
                    spec.loader.exec_module(module)
                except Exception as exc:
                    sys.modules.pop("models", None)
                    raise MigrationError(f"models/__init__.py: importing failed: "
                                         f"{type(exc).__name__}: {exc}") from exc
        found = discover_models(project)
        extra = [m for m in plugin_models(project) if m not in found]
        return list(peewee.sort_models(found + extra)) if extra else found  # type: ignore[attr-defined]


def plugin_models(project: Any) -> list[type]:
    """The models of the plugins ``[plugins] enabled`` names that ship no migrations of
    their own: their tables are made by the project's migrations, like the project's
    models. (A plugin with ``migrations=`` owns its tables: :mod:`.plugins`.)"""
    from ...config import Settings
    from ...extensions import load_plugins
    names = Settings.load(project, quiet=True).get("plugins", "enabled", None) or ()
    return [m for ext in load_plugins(names) if ext.migrations is None for m in ext.models] if names else []


def open_database(project: Any) -> tuple[peewee.Database, str]:
    """The project's database (not connected, not pooled) and its URL, from the settings."""
    from ...config import Settings
    url = str(Settings.load(project).database.url)
    return database_from_url(url, project.root, pooled=False), url


def safe_url(url: str) -> str:
    """``url`` with its password masked, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":********@", 1)
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url


def create_database(db: peewee.Database) -> bool:
    """Create the database itself if it does not exist yet; True when it was created."""
    backend = backend_name(db)
    if backend == "sqlite":
        existed = db.database == ":memory:" or Path(db.database).exists()
        db.connect(reuse_if_open=True)
        return not existed
    try:
        db.connect(reuse_if_open=True)
        return False
    except peewee.OperationalError as exc:
        missing = "does not exist" in str(exc) or "Unknown database" in str(exc)
        if not missing:
            raise
    params = dict(db.connect_params)
    if backend == "postgresql":
        admin: peewee.Database = peewee.PostgresqlDatabase("postgres", **params)
        sql = f'CREATE DATABASE "{db.database}"'
    else:
        admin = peewee.MySQLDatabase("information_schema", **params)
        sql = f"CREATE DATABASE `{db.database}` CHARACTER SET utf8mb4"
    if not all(c.isalnum() or c in "_-" for c in str(db.database)):
        raise MigrationError(f"will not create a database named {db.database!r}; create it yourself")
    try:
        admin.connect()
        admin.execute_sql(sql)
    finally:
        admin.close()
    db.connect(reuse_if_open=True)
    return True


@dataclass
class Detected:
    """The migrations on disk, and what the models add to them."""

    loader: MigrationLoader
    target: State
    changes: Changes
    migration: Migration | None = None  # the new migration, not written yet
    renames: list[RenameHint] = field(default_factory=list)
    merge: Migration | None = None      # the merge migration (``--merge``), not written yet


def merge_name(leaves: Sequence[str]) -> str:
    """``merge_add_post_subtitle_add_post_views`` (shortened when long)."""
    name = clean_name("merge_" + "_".join(leaf.partition("_")[2] for leaf in leaves))
    if len(name) <= 48:
        return name
    return name[:41].rpartition("_")[0] + "_and_more"


class Planner:
    """Compares the models with the migrations in ``project.migrations``."""

    def __init__(self, project: Any, models: list[type] | None = None) -> None:
        self.project = project
        self.models = load_models(project) if models is None else models
        self.target = models_state(self.models)
        self.backfills = backfills(self.models)

    def loader(self) -> MigrationLoader:
        return MigrationLoader(self.project.migrations, self.project.root)

    def plan_merge(self, loader: MigrationLoader) -> Migration | None:
        """The migration that joins the branches of ``loader`` (``None``: there is one)."""
        leaves = loader.leaves
        if len(leaves) < 2:
            return None
        try:
            joined = loader.merged()
        except BranchConflict as exc:
            raise MigrationError(
                f"cannot merge: {exc}; make only one branch change it (edit or remove the other "
                "file, rolling it back first if it is applied), then run `wolfpy db migrate --merge` "
                "again") from None
        merge = Migration(f"{loader.next_number():04d}_{merge_name(leaves)}", [], snapshot=joined,
                          dependencies=list(leaves), parents=list(leaves))
        merge.resolve(joined)
        return merge

    def detect(self, *, renames: Sequence[str | RenameHint] = (),
               ask: Callable[[RenameHint], bool] | None = None, name: str | None = None,
               merge: bool = False) -> Detected:
        """Read the migrations and diff the models against the state they produce.

        With ``merge``, branches are first joined by a merge migration (not written),
        and the models are compared with the state of all the branches together.
        """
        loader = self.loader()
        joined = self.plan_merge(loader) if merge else None
        old = joined.after if joined else loader.state()
        hints = [r for r in renames if isinstance(r, RenameHint)]
        hints += parse_renames([r for r in renames if isinstance(r, str)], old, self.target)
        changes = autodetect(old, self.target, renames=hints, ask=ask, backfills=self.backfills)
        found = Detected(loader, self.target, changes, renames=list(changes.renames), merge=joined)
        if changes:
            label = clean_name(name) if name else migration_name(changes, first=not loader.migrations)
            if not label:
                raise MigrationError(f"--name {name!r}: use letters, digits and underscores")
            follows = [joined.name] if joined else loader.leaves
            number = joined.number + 1 if joined else loader.next_number()
            migration = Migration(f"{number:04d}_{label}", list(changes.operations),
                                  snapshot=self.target, dependencies=follows, parents=list(follows))
            migration.resolve(old)
            found.migration = migration
        return found

    def write_merge(self, found: Detected) -> Path:
        """Write the merge migration of ``found``."""
        assert found.merge is not None
        number, _, label = found.merge.name.partition("_")
        return write_migration(self.project.migrations, int(number), label, [], found.merge.after,
                               dependencies=found.merge.parents)

    def write(self, found: Detected) -> Path:
        """Write the new migration of ``found`` and check that it reads back the same."""
        assert found.migration is not None
        number, _, label = found.migration.name.partition("_")
        path = write_migration(self.project.migrations, int(number), label,
                               found.migration.operations, self.target, found.changes.hints,
                               dependencies=found.migration.parents)
        if not equal(self.loader().state(), self.target):  # pragma: no cover - a writer bug
            raise MigrationError(f"{path.name} does not read back as the models; please report this")
        return path
