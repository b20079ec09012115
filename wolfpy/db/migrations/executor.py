"""The executor: applies and reverses migrations, one transaction each where the database can.

SQLite and PostgreSQL run a migration's statements and its ``wolfpy_migrations`` row
in one transaction: a failure rolls all of it back and the schema is as it was. MySQL
commits every DDL statement on its own, so there the executor keeps track of each
operation and, when one fails, raises :class:`PartialMigrationError` naming the
operations that were applied and the SQL that undoes them.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ...errors import MigrationError
from .loader import Migration, MigrationLoader
from .locks import TIMEOUT, lock_epilogue, lock_preamble, migration_lock
from .operations import IrreversibleError, Operation, OperationContext
from .recorder import TABLE, MigrationRecorder
from .schema import editor_for
from .state import State

_SAVEPOINT = '"wolfpy_migration"'


class PartialMigrationError(MigrationError):
    """A migration failed half-way on a database without transactional DDL (MySQL)."""

    def __init__(self, message: str, applied: list[str], partial: list[str], undo: list[str],
                 cannot_undo: list[str]) -> None:
        super().__init__(message)
        self.applied = applied          # descriptions of the operations that ran whole
        self.partial = partial          # statements of the failed operation that did run
        self.undo = undo                # SQL that reverses the applied operations
        self.cannot_undo = cannot_undo  # operations with no reverse (why)

    def report(self) -> list[str]:
        lines = ["applied before the failure (MySQL cannot roll back DDL):"]
        lines += [f"  {a}" for a in self.applied] or ["  nothing"]
        if self.partial:
            lines.append("statements of the failed operation that did run (undo them by hand):")
            lines += [f"  {s};" for s in self.partial]
        if self.undo:
            lines.append("to undo the applied operations, run:")
            lines += [f"  {s};" for s in self.undo]
        lines += [f"cannot be undone automatically: {c}" for c in self.cannot_undo]
        return lines


@dataclass
class Step:
    position: int
    operation: Operation
    label: str
    sql: list[str]
    undo: Callable[[], list[str]]


@dataclass
class Script:
    """Everything one migration (forwards or backwards) runs, in order."""

    migration: Migration
    backward: bool
    steps: list[Step]
    begin: list[str] = field(default_factory=list)
    record: list[str] = field(default_factory=list)
    check: list[str] = field(default_factory=list)    # queries that must return no rows
    commit: list[str] = field(default_factory=list)
    rollback: list[str] = field(default_factory=list)
    preflight: list[tuple[str, str]] = field(default_factory=list)

    def statements(self) -> list[str]:
        body = [s for step in self.steps for s in [f"-- {step.label}", *step.sql]]
        return self.begin + body + self.record + self.check + self.commit


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].strip()


class Executor:
    def __init__(self, db: Any, loader: MigrationLoader, *, lock_timeout: float = TIMEOUT,
                 table: str = TABLE) -> None:
        self.db = db
        self.loader = loader
        self.editor = editor_for(db)
        self.backend = self.editor.backend
        self.recorder = MigrationRecorder(db, self.editor, table)
        self.lock_timeout = lock_timeout

    # -- planning ------------------------------------------------------------------
    def applied(self) -> dict[str, Any]:
        return self.recorder.applied()

    def pending(self, applied: dict[str, Any]) -> list[Migration]:
        """Unapplied migrations, in order; refuses when an applied one follows one of them."""
        todo = [m for m in self.loader.migrations if m.name not in applied]
        missing = {m.name for m in todo}
        for name in sorted(applied):
            if name not in self.loader:
                continue
            skipped = sorted(self.loader.ancestors(name) & missing)
            if skipped:
                raise MigrationError(f"{skipped[0]} is not applied but {name}, which follows it, is: "
                                     f"roll back to before {skipped[0]} with `wolfpy db rollback`, "
                                     "then run `wolfpy db migrate`")
        return todo

    def to_reverse(self, applied: dict[str, Any], steps: int) -> list[Migration]:
        """The last ``steps`` applied migrations, newest first."""
        names = sorted(applied, reverse=True)[:max(0, steps)]
        for name in names:
            if name not in self.loader:
                raise MigrationError(f"{name} is applied but migrations/{name}.py is missing: "
                                     "it cannot be reversed without its file")
        return [self.loader.get(name) for name in names]

    def in_context(self, migrations: list[Migration], applied: dict[str, Any],
                   backward: bool = False) -> list[Migration]:
        """``migrations`` (to apply in this order, or to reverse) each on the schema the
        database has when it runs.

        That schema is the state the applied migrations produce together. It is the
        migration's own ``before`` unless the migrations have branched and another
        branch was applied first: then its operations run on the union (so a table
        rebuilt on SQLite keeps the other branch's columns). A migration the loader
        does not have (one about to be written) follows them all and runs as it is.
        """
        done = {name for name in applied if name in self.loader}
        out = []
        for migration in migrations:
            if migration.name not in self.loader:
                out.append(migration)
                continue
            if backward:
                done.discard(migration.name)
            if done <= self.loader.ancestors(migration.name):  # one line of history: as it is
                out.append(migration)
            else:
                out.append(migration.at(self.loader.state_of(done | set(migration.parents))))
            if not backward:
                done.add(migration.name)
        return out

    def script(self, migration: Migration, backward: bool = False) -> Script:
        """The statements of one migration; raises IrreversibleError before anything runs."""
        steps = []
        chain = list(migration.steps())
        for position, op, before in (reversed(chain) if backward else chain):
            ctx = OperationContext(self.editor, before)
            if backward:
                try:
                    sql = op.reverse_sql(ctx)
                except IrreversibleError as exc:
                    raise IrreversibleError(f"{migration.name} cannot be rolled back: "
                                            f"operation {position}: {exc}") from None
                label = f"reverse of {op.describe()}"
                undo: Callable[[], list[str]] = functools.partial(op.sql, ctx)
            else:
                sql = op.sql(ctx)
                label = op.describe()
                undo = functools.partial(op.reverse_sql, ctx)
            steps.append(Step(position, op, label, sql, undo))
        script = Script(migration, backward, steps)
        name = migration.name
        script.record = [self.recorder.unrecord_sql(name) if backward else self.recorder.record_sql(name)]
        for step in steps:
            before = [b for p, o, b in chain if p == step.position][0]
            if backward:
                script.preflight += step.operation.reversed(before).preflight(step.operation.after(before))
            else:
                script.preflight += step.operation.preflight(before)
        if self.backend == "sqlite":
            script.begin = [f"SAVEPOINT {_SAVEPOINT}"]
            script.check = ["PRAGMA foreign_key_check"]
            script.commit = [f"RELEASE {_SAVEPOINT}"]
            script.rollback = [f"ROLLBACK TO {_SAVEPOINT}", f"RELEASE {_SAVEPOINT}"]
        elif self.backend == "postgresql":
            script.begin, script.commit, script.rollback = ["BEGIN"], ["COMMIT"], ["ROLLBACK"]
        return script

    def destructive(self, migration: Migration, backward: bool = False) -> list[str]:
        """Why running ``migration`` (or reversing it) can lose data: one reason a line."""
        reasons = []
        for _, op, before in migration.steps():
            if backward:
                try:
                    reason = op.reversed(before).destructive(op.after(before))
                except IrreversibleError:
                    reason = None
            else:
                reason = op.destructive(before)
            if reason:
                reasons.append(f"{migration.name}: {reason}")
        return reasons

    def dry_run(self, scripts: list[Script]) -> list[str]:
        """The exact statements ``run`` would execute for these scripts, in order."""
        out = list(lock_preamble(self.backend))
        if not self.editor.transactional:
            out.append(f"-- {self.backend}: no transactional DDL, each statement commits on its own")
        if not self.recorder.exists():
            out.append(self.recorder.create_sql())
        for script in scripts:
            out.append(f"-- {'reverse ' if script.backward else ''}{script.migration.name}")
            out += script.statements()
        return out + lock_epilogue(self.backend)

    # -- running -------------------------------------------------------------------
    @contextmanager
    def lock(self) -> Iterator[None]:
        with migration_lock(self.db, self.backend, self.lock_timeout):
            yield

    def ensure_table(self) -> None:
        self._execute(self.recorder.create_sql())

    def _execute(self, sql: str) -> Any:
        if sql.startswith("-- "):
            return None
        cursor = self.db.cursor()
        cursor.execute(sql)
        return cursor

    def _has_rows(self, table: str, state: State) -> bool:
        if table not in state:  # created in this migration: empty
            return False
        cursor = self._execute(f"SELECT 1 FROM {self.editor.q(table)} LIMIT 1")
        return cursor.fetchone() is not None

    def run(self, script: Script) -> None:
        """Apply (or reverse) one migration; call inside :meth:`lock`."""
        migration = script.migration
        state = migration.after if script.backward else migration.before
        for table, message in script.preflight:
            if self._has_rows(table, state):
                raise MigrationError(f"{migration.name}: refused before any change: {message}")
        if not self.editor.transactional:
            return self._run_untransacted(script)
        for sql in script.begin:
            self._execute(sql)
        current = None
        try:
            for step in script.steps:
                current = step
                for sql in step.sql:
                    self._execute(sql)
            current = None
            for sql in script.record:
                self._execute(sql)
            for sql in script.check:
                rows = self._execute(sql).fetchall()
                if rows:
                    raise MigrationError(f"foreign key check failed: {rows[0][0]} has a row "
                                         f"referencing a missing {rows[0][2]} row")
            for sql in script.commit:
                self._execute(sql)
        except BaseException as exc:
            for sql in script.rollback:
                try:
                    self._execute(sql)
                except Exception:  # pragma: no cover - the connection is gone: nothing committed
                    pass
            if not isinstance(exc, Exception):
                raise
            where = (f" at operation {current.position} of {len(script.steps)} ({current.label})"
                     if current else "")
            raise MigrationError(
                f"{migration.name}{' (reverse)' if script.backward else ''} failed{where}: "
                f"{_first_line(exc)}; rolled back, the schema is unchanged") from exc

    def _run_untransacted(self, script: Script) -> None:
        done: list[Step] = []
        executed: list[str] = []
        current = None
        try:
            for step in script.steps:
                current, executed = step, []
                for sql in step.sql:
                    self._execute(sql)
                    executed.append(sql)
                done.append(step)
            current = None
            for sql in script.record:
                self._execute(sql)
        except Exception as exc:
            undo, cannot = [], []
            for step in reversed(done):
                try:
                    undo += step.undo()
                except IrreversibleError as why:
                    cannot.append(f"operation {step.position} ({step.label}): {why}")
            where = (f" at operation {current.position} of {len(script.steps)} ({current.label})"
                     if current else " recording it")
            name = script.migration.name + (" (reverse)" if script.backward else "")
            raise PartialMigrationError(
                f"{name} failed{where}: {_first_line(exc)}; {len(done)} operation"
                f"{'s' if len(done) != 1 else ''} before it stayed applied (MySQL has no "
                "transactional DDL): see the report above",
                [f"operation {s.position}: {s.label}" for s in done],
                executed if current else [], undo, cannot) from exc
