"""``wolfpy db init | migrate | rollback | status``: the project database and its migrations.

The database URL comes from the project settings (``[database] url``, or ``DATABASE_URL``).
Changes that can lose data ask first (``--yes`` answers for you); without a terminal
and without ``--yes`` they are refused.
"""
from __future__ import annotations

import sqlite3
import sys
from contextlib import contextmanager
from typing import Any, Iterator, NoReturn

import peewee
import typer

db_app = typer.Typer(help="Create the database, write and apply migrations.", no_args_is_help=True)


def _fail(message: str) -> NoReturn:
    from ..main import fail
    fail(message)


def _interactive() -> bool:
    try:
        return bool(sys.stdin is not None and sys.stdin.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _driver_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [peewee.PeeweeException, sqlite3.Error]
    for module, name in (("psycopg2", "Error"), ("pymysql", "Error")):
        mod = sys.modules.get(module)
        if mod is not None:
            errors.append(getattr(mod, name))
    return tuple(errors)


@contextmanager
def _session() -> Iterator[tuple[Any, Any, str]]:
    """The project, its database and URL; database errors become one line; closed after."""
    from ...db.migrations.runner import open_database, safe_url
    from .info import _project
    project = _project()
    db, url = open_database(project)
    try:
        yield project, db, url
    except _driver_errors() as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        _fail(f"database error ({safe_url(url)}): {first}")
    finally:
        if not db.is_closed():
            db.close()


def _confirm(reasons: list[str], yes: bool, action: str, extra: str = "") -> None:
    """Ask before changes that can lose data; refuse when nobody can answer."""
    if not reasons or yes:
        return
    if not _interactive():
        _fail(f"refusing to {action} without --yes: {'; '.join(reasons)}{extra}")
    typer.echo(f"This will {action}, and:")
    for reason in reasons:
        typer.echo(f"  - {reason}")
    if not typer.confirm("Continue?", default=False):
        _fail("aborted; nothing was changed")


def _print_sql(statements: list[str]) -> None:
    for sql in statements:
        typer.echo(sql if sql.startswith("-- ") else sql + ";")


@db_app.command("init")
def init() -> None:
    """Create the database (for SQLite, the file) and the migrations table."""
    from ...db.migrations.executor import Executor
    from ...db.migrations.loader import MigrationLoader
    from ...db.migrations.runner import create_database, safe_url
    with _session() as (project, db, url):
        created = create_database(db)
        executor = Executor(db, MigrationLoader(project.migrations, project.root))
        had_table = executor.recorder.exists()
        executor.ensure_table()
        project.migrations.mkdir(exist_ok=True)
        typer.echo(f"{'created' if created else 'found'} database {safe_url(url)}")
        typer.echo(f"{'found' if had_table else 'created'} table wolfpy_migrations")


@db_app.command("migrate")
def migrate(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the SQL; write and change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before changes that lose data."),
    name: str = typer.Option(None, "--name", help="Name of the new migration (e.g. add_subtitle)."),
    rename: list[str] = typer.Option([], "--rename", metavar="[TABLE.]OLD:NEW",
                                     help="Treat a column that went away and one that appeared as a rename."),
) -> None:
    """Write a migration for model changes, then apply every pending migration."""
    from ...db.migrations.executor import Executor, PartialMigrationError
    from ...db.migrations.runner import Planner
    from ...errors import MigrationError

    def ask(hint: Any) -> bool:
        return typer.confirm(f"Did you rename {hint.table}.{hint.old} to {hint.new}? "
                             f"(no: drop {hint.old} with its data, add {hint.new})", default=False)

    with _session() as (project, db, url):
        planner = Planner(project)
        interactive = _interactive() and not yes and not dry_run
        found = planner.detect(renames=rename, ask=ask if interactive else None, name=name)
        executor = Executor(db, found.loader)
        pending = executor.pending(executor.applied())
        todo = pending + ([found.migration] if found.migration else [])
        for hint in found.changes.hints:
            typer.echo(f"warning: {hint.table}.{hint.old} went away and {hint.table}.{hint.new} appeared with "
                       f"the same definition: to keep the data, pass --rename {hint.table}.{hint.old}:{hint.new}",
                       err=True)
        if dry_run:
            if found.migration:
                typer.echo(f"-- would write migrations/{found.migration.name}.py")
            if not todo:
                typer.echo("-- nothing to do: the database is up to date with the models")
                return
            _print_sql(executor.dry_run([executor.script(m) for m in todo]))
            return
        reasons = [r for m in todo for r in executor.destructive(m)]
        extra = "".join(f" (or keep the data with --rename {h.table}.{h.old}:{h.new})"
                        for h in found.changes.hints)
        _confirm(reasons, yes, "migrate", extra)

        with executor.lock():
            # Again under the lock: another run may have written or applied migrations.
            executor.ensure_table()
            found = planner.detect(renames=found.renames, name=name)
            executor = Executor(db, found.loader)
            todo = executor.pending(executor.applied()) + ([found.migration] if found.migration else [])
            late = [r for m in todo for r in executor.destructive(m) if r not in reasons]
            if late and not yes:
                _fail("the migrations changed while you were answering: nothing was written or "
                      "applied; run again")
            if found.migration:
                path = planner.write(found)
                typer.echo(f"wrote {path.relative_to(project.root)}")
                for op in found.migration.operations:
                    typer.echo(f"  {op.describe()}")
                executor = Executor(db, planner.loader())
            pending = executor.pending(executor.applied())
            if not pending:
                typer.echo("nothing to apply: the database is up to date")
                return
            for migration in pending:
                try:
                    executor.run(executor.script(migration))
                except PartialMigrationError as exc:
                    for line in exc.report():
                        typer.echo(line, err=True)
                    raise
                except MigrationError:
                    raise
                typer.echo(f"applied {migration.name}")


@db_app.command("rollback")
def rollback(
    steps: int = typer.Option(1, "--steps", "-n", min=1, help="How many migrations to reverse."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the SQL; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before changes that lose data."),
) -> None:
    """Reverse the last applied migrations (the newest first)."""
    from ...db.migrations.executor import Executor, PartialMigrationError
    from ...db.migrations.loader import MigrationLoader
    with _session() as (project, db, url):
        executor = Executor(db, MigrationLoader(project.migrations, project.root))
        targets = executor.to_reverse(executor.applied(), steps)
        if not targets:
            typer.echo("nothing to roll back: no migration is applied")
            return
        scripts = [executor.script(m, backward=True) for m in targets]  # irreversible: refuse now
        if dry_run:
            _print_sql(executor.dry_run(scripts))
            return
        _confirm([r for m in targets for r in executor.destructive(m, backward=True)], yes, "roll back")
        with executor.lock():
            again = executor.to_reverse(executor.applied(), steps)
            if [m.name for m in again] != [m.name for m in targets]:
                _fail("the applied migrations changed meanwhile: nothing was rolled back; run again")
            for script in scripts:
                try:
                    executor.run(script)
                except PartialMigrationError as exc:
                    for line in exc.report():
                        typer.echo(line, err=True)
                    raise
                typer.echo(f"reversed {script.migration.name}")


@db_app.command("status")
def status() -> None:
    """List the migrations, applied and pending, and say if the models have changed."""
    from ...db.migrations.executor import Executor
    from ...db.migrations.runner import Planner, safe_url
    from ...errors import WolfPyError
    with _session() as (project, db, url):
        planner_error = None
        try:
            planner: Any = Planner(project)
            found: Any = planner.detect()
            loader = found.loader
        except WolfPyError as exc:
            planner_error = str(exc)
            from ...db.migrations.loader import MigrationLoader
            loader, found = MigrationLoader(project.migrations, project.root), None
        executor = Executor(db, loader)
        applied = executor.applied()
        typer.echo(f"database {safe_url(url)}")
        names = sorted(set(loader.names) | set(applied))
        if not names:
            typer.echo("no migrations yet")
        for name in names:
            if name in applied:
                mark = "[X]" if name in loader.names else "[?]"
                when = str(applied[name])[:19]
                note = f"applied {when}" + ("" if name in loader.names else "  (file missing)")
            else:
                mark, note = "[ ]", "pending"
            drift = name in loader.names and loader.get(name).drift
            typer.echo(f"{mark} {name:<40} {note}" + ("  (state and operations disagree)" if drift else ""))
        pending = [n for n in loader.names if n not in applied]
        typer.echo(f"{len(applied)} applied, {len(pending)} pending")
        if planner_error:
            typer.echo(f"warning: cannot compare with the models: {planner_error}", err=True)
        elif found is not None and found.changes:
            typer.echo(f"the models have {len(found.changes.operations)} change(s) not in a migration yet: "
                       "run `wolfpy db migrate`")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
