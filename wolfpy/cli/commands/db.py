"""``wolfpy db init | migrate | rollback | status | seed | reset``: the project database and its migrations.

The database URL comes from the project settings (``[database] url``, or ``DATABASE_URL``).
Changes that can lose data ask first (``--yes`` answers for you); without a terminal
and without ``--yes`` they are refused.
"""
from __future__ import annotations

import sqlite3
import sys
from contextlib import contextmanager
from typing import Any, Iterator

import peewee
import typer

from ..common import confirm_changes, fail, find_project
from ..common import interactive as _interactive  # also what `wolfpy create user` asks through

db_app = typer.Typer(help="Create the database, write and apply migrations.", no_args_is_help=True)


def _driver_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [peewee.PeeweeException, sqlite3.Error]
    for module, name in (("psycopg2", "Error"), ("pymysql", "Error")):
        mod = sys.modules.get(module)
        if mod is not None:
            errors.append(getattr(mod, name))
    return tuple(errors)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@contextmanager
def _session() -> Iterator[tuple[Any, Any, str]]:
    """The project, its database and URL; database errors become one line; closed after."""
    from ...db.migrations.runner import open_database, safe_url
    project = find_project()
    db, url = open_database(project)
    try:
        yield project, db, url
    except _driver_errors() as exc:
        fail(f"database error ({safe_url(url)}): {_first_line(exc)}")
    finally:
        if not db.is_closed():
            db.close()


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


def _run(executor: Any, migrations: list[Any], verb: str, done: list[str]) -> None:
    """Apply (or reverse) ``migrations`` in order, printing each and adding its name to ``done``."""
    from ...db.migrations.executor import PartialMigrationError
    for migration in migrations:
        try:
            executor.run(executor.script(migration, backward=verb == "reversed"))
        except PartialMigrationError as exc:
            for line in exc.report():
                typer.echo(line, err=True)
            raise
        done.append(migration.name)
        typer.echo(f"{verb} {migration.name}")


@db_app.command("migrate")
def migrate(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the SQL; write and change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before changes that lose data."),
    name: str = typer.Option(None, "--name", help="Name of the new migration (e.g. add_subtitle)."),
    rename: list[str] = typer.Option([], "--rename", metavar="[TABLE.]OLD:NEW",
                                     help="Treat a column that went away and one that appeared as a rename."),
    merge: bool = typer.Option(False, "--merge",
                               help="First join migrations made on different branches with a merge migration."),
) -> None:
    """Write a migration for model changes, then apply every pending migration."""
    from ...db.migrations.executor import Executor
    from ...db.migrations.runner import Planner, safe_url
    from ...errors import MigrationError

    def ask(hint: Any) -> bool:
        return typer.confirm(f"Did you rename {hint.table}.{hint.old} to {hint.new}? "
                             f"(no: drop {hint.old} with its data, add {hint.new})", default=False)

    def plan(found: Any, executor: Any) -> list[Any]:
        applied = executor.applied()
        new = [m for m in (found.merge, found.migration) if m is not None]
        return executor.in_context(executor.pending(applied) + new, applied)

    with _session() as (project, db, url):
        planner = Planner(project)
        interactive = _interactive() and not yes and not dry_run
        found = planner.detect(renames=rename, ask=ask if interactive else None, name=name, merge=merge)
        if merge and found.merge is None:
            typer.echo("nothing to merge: the migrations have not branched")
        executor = Executor(db, found.loader)
        todo = plan(found, executor)
        for hint in found.changes.hints:
            typer.echo(f"warning: {hint.table}.{hint.old} went away and {hint.table}.{hint.new} appeared with "
                       f"the same definition: to keep the data, pass --rename {hint.table}.{hint.old}:{hint.new}",
                       err=True)
        if dry_run:
            from ...db.migrations import plugins
            for plugin, plugin_executor, plugin_todo in plugins.pending(db, plugins.plugin_migrations(project)):
                if plugin_todo:
                    typer.echo(f"-- plugin {plugin.name}: migrations/ of its own")
                    _print_sql(plugin_executor.dry_run([plugin_executor.script(m) for m in plugin_todo]))
            for new in (found.merge, found.migration):
                if new is not None:
                    typer.echo(f"-- would write migrations/{new.name}.py")
            if not todo:
                typer.echo("-- nothing to do: the database is up to date with the models")
                return
            _print_sql(executor.dry_run([executor.script(m) for m in todo]))
            return
        reasons = [r for m in todo for r in executor.destructive(m)]
        extra = "".join(f" (or keep the data with --rename {h.table}.{h.old}:{h.new})"
                        for h in found.changes.hints)
        confirm_changes(reasons, yes=yes, action="migrate", extra=extra, can_ask=_interactive())

        with executor.lock():
            # Again under the lock: another run may have written or applied migrations.
            executor.ensure_table()
            from ...db.migrations import plugins  # the plugins' own migrations come first
            plugins_done = plugins.apply(db, plugins.plugin_migrations(project), typer.echo)
            found = planner.detect(renames=found.renames, name=name, merge=merge)
            executor = Executor(db, found.loader)
            todo = plan(found, executor)
            late = [r for m in todo for r in executor.destructive(m) if r not in reasons]
            if late and not yes:
                fail("the migrations changed while you were answering: nothing was written or "
                     "applied; run again")
            written: list[Any] = []
            done: list[str] = []
            try:
                if found.merge:
                    written.append(planner.write_merge(found))
                    typer.echo(f"wrote {written[-1].relative_to(project.root)}")
                    typer.echo(f"  joins {' and '.join(found.merge.parents)}")
                if found.migration:
                    written.append(planner.write(found))
                    typer.echo(f"wrote {written[-1].relative_to(project.root)}")
                    for op in found.migration.operations:
                        typer.echo(f"  {op.describe()}")
                if written:
                    executor = Executor(db, planner.loader())
                applied = executor.applied()
                pending = executor.in_context(executor.pending(applied), applied)
                if not pending:
                    if not plugins_done:
                        typer.echo("nothing to apply: the database is up to date")
                    return
                _run(executor, pending, "applied", done)
            except BaseException as exc:
                # What this run wrote and could not apply goes: the next run starts afresh.
                failed = [path for path in written if path.stem not in done]
                for path in failed:
                    path.unlink(missing_ok=True)
                if not failed or not isinstance(exc, Exception):
                    raise
                message = str(exc) if isinstance(exc, MigrationError) else \
                    f"database error ({safe_url(url)}): {_first_line(exc)}"
                files = " and ".join(str(path.relative_to(project.root)) for path in failed)
                raise MigrationError(f"{message}; removed {files}, which this run wrote") from exc


@db_app.command("rollback")
def rollback(
    steps: int = typer.Option(1, "--steps", "-n", min=1, help="How many migrations to reverse."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the SQL; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before changes that lose data."),
) -> None:
    """Reverse the last applied migrations (the newest first)."""
    from ...db.migrations.executor import Executor
    from ...db.migrations.loader import MigrationLoader
    with _session() as (project, db, url):
        executor = Executor(db, MigrationLoader(project.migrations, project.root))
        applied = executor.applied()
        targets = executor.in_context(executor.to_reverse(applied, steps), applied, backward=True)
        if not targets:
            typer.echo("nothing to roll back: no migration is applied")
            return
        scripts = [executor.script(m, backward=True) for m in targets]  # irreversible: refuse now
        if dry_run:
            _print_sql(executor.dry_run(scripts))
            return
        confirm_changes([r for m in targets for r in executor.destructive(m, backward=True)], yes=yes,
                        action="roll back", can_ask=_interactive())
        with executor.lock():
            again = executor.to_reverse(executor.applied(), steps)
            if [m.name for m in again] != [m.name for m in targets]:
                fail("the applied migrations changed meanwhile: nothing was rolled back; run again")
            _run(executor, targets, "reversed", [])


@db_app.command("status")
def status() -> None:
    """List the migrations, applied and pending, and say if the models have changed."""
    from ...db.migrations.executor import Executor
    from ...db.migrations.loader import MigrationLoader
    from ...db.migrations.runner import Planner, safe_url
    from ...errors import WolfPyError
    with _session() as (project, db, url):
        loader = MigrationLoader(project.migrations, project.root)
        branched = loader.conflict()
        planner_error, found = None, None
        if not branched:
            try:
                found = Planner(project).detect()
            except WolfPyError as exc:
                planner_error = str(exc)
        executor = Executor(db, loader)
        applied = executor.applied()
        typer.echo(f"database {safe_url(url)}")
        names = sorted(set(loader.names) | set(applied))
        if not names:
            typer.echo("no migrations yet")
        width = max([40, *map(len, names)])
        for name in names:
            if name in applied:
                mark = "[X]" if name in loader else "[?]"
                when = str(applied[name])[:19]
                note = f"applied {when}" + ("" if name in loader else "  (file missing)")
            else:
                mark, note = "[ ]", "pending"
            drift = name in loader and loader.get(name).drift
            typer.echo(f"{mark} {name:<{width}} {note}" + ("  (state and operations disagree)" if drift else ""))
        pending = [n for n in loader.names if n not in applied]
        typer.echo(f"{len(applied)} applied, {len(pending)} pending")
        from ...db.migrations import plugins  # the plugins' own migrations, one line each
        for line in plugins.status_lines(db, plugins.plugin_migrations(project)):
            typer.echo(line)
        if branched:
            fail(branched)
        if planner_error:
            typer.echo(f"warning: cannot compare with the models: {planner_error}", err=True)
        elif found is not None and found.changes:
            typer.echo(f"the models have {len(found.changes.operations)} change(s) not in a migration yet: "
                       "run `wolfpy db migrate`")


SEEDS = "seeds.py"


@db_app.command("seed")
def seed() -> None:
    """Run the project's seeds.py, which fills the database with starting rows.

    seeds.py runs with the models bound to the project database, inside one
    transaction: if it fails, nothing it did is kept. It gets ``app`` as a global.
    """
    import runpy

    from ...app import load
    project = find_project()
    path = project.root / SEEDS
    if not path.is_file():
        fail(f"no {SEEDS} in {project.root.name}/: write one (it creates rows with your models), "
             "then run `wolfpy db seed` again")
    app = load(project.root)
    app.bind_models()
    from ...db.database import DATABASE
    root = str(project.root)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        with DATABASE.atomic() if app.models else _nothing():
            runpy.run_path(str(path), init_globals={"app": app}, run_name="__seeds__")
    except _driver_errors() as exc:
        missing = any(w in str(exc) for w in ("no such table", "does not exist", "doesn't exist"))
        fail(f"{SEEDS}: database error: {_first_line(exc)} (nothing was kept"
             + ("; run `wolfpy db migrate` first)" if missing else ")"))
    except Exception as exc:
        from ..common import debug_enabled
        if debug_enabled():
            raise
        fail(f"{SEEDS} failed: {type(exc).__name__}: {_first_line(exc)} (nothing was kept; "
             "--debug shows the traceback)")
    finally:
        if app.models and not app.database.is_closed():
            app.database.close()
    typer.echo(f"ran {SEEDS}")


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@db_app.command("reset")
def reset(yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask first.")) -> None:
    """Drop every table, apply every migration again, then run seeds.py (if there is one).

    Every row in the database is lost: it asks first, and without a terminal it
    refuses unless --yes is given.
    """
    from ...db.migrations.runner import safe_url
    project = find_project()
    from ...db.migrations.runner import open_database
    _, url = open_database(project)
    if not yes:
        if not _interactive():
            fail(f"refusing to reset {safe_url(url)} without --yes: every table and row would be dropped")
        if not typer.confirm(f"Drop every table of {safe_url(url)} with all its rows, then migrate and seed?",
                             default=False):
            fail("aborted; nothing was changed")
    with _session() as (project, db, url):
        dropped = _drop_all(db)
        typer.echo(f"dropped {len(dropped)} table{'s' if len(dropped) != 1 else ''}")
    migrate(dry_run=False, yes=True, name=None, rename=[], merge=False)  # type: ignore[arg-type]
    if (project.root / SEEDS).is_file():
        seed()


def _drop_all(db: Any) -> list[str]:
    """Drop every table of ``db`` (foreign keys and all); returns their names."""
    from ...db.database import backend_name
    db.connect(reuse_if_open=True)
    tables = db.get_tables()
    backend = backend_name(db)
    quote = (lambda n: f"`{n}`") if backend == "mysql" else (lambda n: '"' + n.replace('"', '""') + '"')
    if backend == "sqlite":
        db.execute_sql("PRAGMA foreign_keys = OFF")
    elif backend == "mysql":
        db.execute_sql("SET FOREIGN_KEY_CHECKS = 0")
    try:
        for table in tables:
            suffix = " CASCADE" if backend == "postgresql" else ""
            db.execute_sql(f"DROP TABLE IF EXISTS {quote(table)}{suffix}")
    finally:
        if backend == "sqlite":
            db.execute_sql("PRAGMA foreign_keys = ON")
        elif backend == "mysql":
            db.execute_sql("SET FOREIGN_KEY_CHECKS = 1")
    return list(tables)
