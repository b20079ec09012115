"""Migrations that plugins ship with their models.

A plugin's ``Extension(models=[...], migrations=folder)`` owns its tables: its
migration files (the same format as a project's) live in the plugin's package, and
their rows are kept in a table of the plugin's own, ``wolfpy_migrations_<plugin>``, so
the project's history and each plugin's never mix. ``wolfpy db migrate`` applies them
before the project's own migrations, plugins in dependency order (``depends=``, then
``[plugins] enabled`` order). The project's migrations do not describe these tables.
A plugin's models without ``migrations`` are left to the project's migrations, as
before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

from ...errors import MigrationError
from .executor import Executor
from .loader import Migration, MigrationLoader
from .recorder import TABLE

_UNSAFE = re.compile(r"[^a-z0-9_]")


@dataclass
class PluginMigrations:
    name: str           #: the extension's name
    folder: Path
    models: list[Any]

    @property
    def table(self) -> str:
        return f"{TABLE}_{_UNSAFE.sub('_', self.name.lower())}"

    def loader(self) -> MigrationLoader:
        return MigrationLoader(self.folder, self.folder.parent)

    def executor(self, db: Any) -> Executor:
        return Executor(db, self.loader(), table=self.table)


def in_dependency_order(extensions: list[Any]) -> list[Any]:
    """``extensions`` ordered so that each comes after those its ``depends`` names.

    Raises:
        MigrationError: a dependency that is not enabled, or a cycle.
    """
    by_name = {ext.name: ext for ext in extensions}
    out: list[Any] = []
    state: dict[str, str] = {}

    def visit(ext: Any, path: tuple[str, ...]) -> None:
        if state.get(ext.name) == "done":
            return
        if state.get(ext.name) == "visiting":
            raise MigrationError(f"plugins depend on each other in a cycle: {' -> '.join(path + (ext.name,))}")
        state[ext.name] = "visiting"
        for dep in getattr(ext, "depends", ()):
            if dep not in by_name:
                raise MigrationError(f"plugin {ext.name!r} depends on {dep!r}, which is not in "
                                     "[plugins] enabled: enable it first")
            visit(by_name[dep], path + (ext.name,))
        state[ext.name] = "done"
        out.append(ext)

    for ext in extensions:
        visit(ext, ())
    return out


def enabled_extensions(project: Any) -> list[Any]:
    from ...config import Settings
    from ...extensions import load_plugins
    names = Settings.load(project, quiet=True).get("plugins", "enabled", None) or ()
    return load_plugins(names) if names else []


def plugin_migrations(project: Any, extensions: list[Any] | None = None) -> list[PluginMigrations]:
    """The migration folders of the enabled plugins that ship one, in dependency order."""
    found = enabled_extensions(project) if extensions is None else extensions
    return [PluginMigrations(ext.name, ext.migrations, list(ext.models))
            for ext in in_dependency_order(found) if getattr(ext, "migrations", None) is not None]


def pending(db: Any, sets: list[PluginMigrations]) -> list[tuple[PluginMigrations, Executor, list[Migration]]]:
    """Each plugin's unapplied migrations, in order (plugins in dependency order)."""
    out = []
    for plugin in sets:
        executor = plugin.executor(db)
        applied = executor.applied()
        out.append((plugin, executor, executor.in_context(executor.pending(applied), applied)))
    return out


def unapplied(app: Any) -> list[str]:
    """The migrations of ``app``'s plugins its database has not applied
    (``greeter:0001_initial``); empty when it cannot be told (a hint never stops a server)."""
    sets = [PluginMigrations(ext.name, ext.migrations, list(ext.models))
            for ext in getattr(app, "extensions", []) if getattr(ext, "migrations", None) is not None]
    if not sets or app.project is None:
        return []
    try:
        from ..database import database_from_url
        db = database_from_url(str(app.settings.database.url), app.project.root, pooled=False)
        try:
            out = []
            for plugin in sets:
                executor = plugin.executor(db)
                applied = executor.recorder.applied()
                out += [f"{plugin.name}:{n}" for n in executor.loader.names if n not in applied]
            return out
        finally:
            if not db.is_closed():
                db.close()
    except Exception:
        return []


def status_lines(db: Any, sets: list[PluginMigrations]) -> list[str]:
    """``[X] greeter:0001_initial  applied ...`` / ``[ ] ... pending`` for ``wolfpy db status``."""
    lines = []
    for plugin in sets:
        executor = plugin.executor(db)
        applied = executor.applied()
        for migration in executor.loader.migrations:
            when = applied.get(migration.name)
            label = f"{plugin.name}:{migration.name}"
            lines.append(f"[X] {label:<40} applied {str(when)[:19]}" if when is not None
                         else f"[ ] {label:<40} pending")
    return lines


def apply(db: Any, sets: list[PluginMigrations], echo: Callable[[str], None]) -> list[str]:
    """Apply every pending plugin migration (inside the caller's migration lock); the names
    applied, as ``plugin:0001_name``."""
    done = []
    for plugin, executor, todo in pending(db, sets):
        if todo:
            executor.ensure_table()
        for migration in todo:
            executor.run(executor.script(migration))
            done.append(f"{plugin.name}:{migration.name}")
            echo(f"applied {done[-1]}")
    return done


def reverse_all(db: Any, plugin: PluginMigrations, echo: Callable[[str], None]) -> list[str]:
    """Reverse every applied migration of ``plugin``, newest first (its tables go)."""
    executor = plugin.executor(db)
    applied = executor.applied()
    todo = executor.in_context(executor.to_reverse(applied, len(applied)), applied, backward=True)
    done = []
    with executor.lock():
        for migration in todo:
            executor.run(executor.script(migration, backward=True))
            done.append(f"{plugin.name}:{migration.name}")
            echo(f"reversed {done[-1]}")
    return done


def destructive_reverse(db: Any, plugin: PluginMigrations) -> list[str]:
    executor = plugin.executor(db)
    applied = executor.applied()
    return [f"{plugin.name}:{r}" for m in executor.to_reverse(applied, len(applied))
            for r in executor.destructive(m, backward=True)]


def write_plugin_migration(extension: Any, name: str | None = None) -> Path | None:
    """For a plugin's author: write the migration that brings ``extension.migrations`` up to
    ``extension.models`` (None when they agree already).

    ``write_plugin_migration(extension)`` in the plugin's source tree writes
    ``NNNN_<name>.py`` into its migrations folder, as ``wolfpy db migrate`` does for a
    project.
    """
    from .runner import Planner
    if extension.migrations is None:
        raise MigrationError(f"extension {extension.name!r} has no migrations folder (Extension(migrations=...))")
    folder = Path(extension.migrations)
    folder.mkdir(parents=True, exist_ok=True)
    planner = Planner(SimpleNamespace(migrations=folder, root=folder.parent), models=list(extension.models))
    found = planner.detect(name=name)
    return planner.write(found) if found.migration is not None else None
