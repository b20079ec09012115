"""What every migration operation is: :class:`Operation` (the interface the executor and
the writer use), :class:`OperationContext`, :class:`IrreversibleError`, and the state
lookups the operations share. The operations themselves are in :mod:`.operations` and
:mod:`.column_operations`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ...errors import MigrationError
from .state import Column, State, clone


class IrreversibleError(MigrationError):
    """An operation that cannot be reversed (the message says why)."""


@dataclass
class OperationContext:
    """What ``apply``/``reverse``/``sql`` need: the SQL editor, the state before the operation
    (in forward order), and how to run a statement (``None`` for a dry run)."""

    editor: Any
    before: State
    execute: Callable[[str], Any] | None = None
    executed: list[str] = field(default_factory=list)

    def run(self, statements: list[str]) -> None:
        for sql in statements:
            if self.execute is not None:
                self.execute(sql)
            self.executed.append(sql)


class Operation:
    """Base class: subclasses define ``forwards``, ``database_sql``, ``reversed``, ``args``."""

    def forwards(self, state: State) -> None:  # pragma: no cover - abstract
        """Change ``state`` in place to what it is after this operation (or raise)."""
        raise NotImplementedError

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:  # pragma: no cover
        raise NotImplementedError

    def reversed(self, before: State) -> "Operation":  # pragma: no cover - abstract
        """The operation that undoes this one, given the state before it."""
        raise NotImplementedError

    def destructive(self, before: State) -> str | None:
        """Why this operation can lose data or fail on existing rows (``None``: it cannot)."""
        return None

    def preflight(self, before: State) -> list[tuple[str, str]]:
        """``(table, message)`` pairs: if that table has rows, refuse with the message
        (checked before the migration's first statement)."""
        return []

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def slug(self) -> str:
        return type(self).__name__.lower()

    def args(self) -> tuple[list[Any], dict[str, Any]]:  # pragma: no cover - abstract
        """Positional and keyword arguments that recreate this operation (for the writer)."""
        raise NotImplementedError

    # -- the interface the executor uses ------------------------------------------
    def after(self, before: State) -> State:
        state = clone(before)
        self.forwards(state)
        return state

    def sql(self, ctx: OperationContext) -> list[str]:
        """The statements that apply this operation (nothing runs)."""
        return self.database_sql(ctx.editor, ctx.before, self.after(ctx.before))

    def reverse_sql(self, ctx: OperationContext) -> list[str]:
        """The statements that reverse this operation (nothing runs)."""
        after = self.after(ctx.before)
        return self.reversed(ctx.before).database_sql(ctx.editor, after, ctx.before)

    def apply(self, ctx: OperationContext) -> None:
        ctx.run(self.sql(ctx))

    def reverse(self, ctx: OperationContext) -> None:
        ctx.run(self.reverse_sql(ctx))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.args() == self.args()  # type: ignore[attr-defined]

    def __hash__(self) -> int:  # pragma: no cover - operations live in lists
        return id(self)

    def __repr__(self) -> str:
        args, kwargs = self.args()
        parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
        return f"{type(self).__name__}({', '.join(parts)})"


def get_table(state: State, name: str, op: str) -> dict[str, Any]:
    """Table ``name`` of ``state``; MigrationError naming operation ``op`` when there is none."""
    if name not in state:
        raise MigrationError(f"{op}: no table {name!r}")
    return state[name]


def get_column(state: State, tname: str, cname: str, op: str) -> Column:
    """Column ``tname.cname`` of ``state``; MigrationError naming ``op`` when there is none."""
    cols = get_table(state, tname, op)["columns"]
    if cname not in cols:
        raise MigrationError(f"{op}: no column {tname}.{cname}")
    return cols[cname]  # type: ignore[no-any-return]


def check_fk(state: State, where: str, spec: Column, own_table: str, own: dict[str, Any]) -> None:
    """MigrationError when column ``spec`` references a table or column that does not exist."""
    fk = spec["fk"]
    if not fk:
        return
    target = own if fk["table"] == own_table else state.get(fk["table"])
    if target is None or fk["column"] not in target["columns"]:
        raise MigrationError(f"{where}: references {fk['table']}.{fk['column']}, which does not exist")


def referrers(state: State, tname: str, cname: str | None = None) -> list[str]:
    """``table.column`` of every other table's foreign key to ``tname`` (to ``cname`` only, if given)."""
    return [f"{t}.{c}" for t, ts in state.items() for c, spec in ts["columns"].items()
            if spec["fk"] and spec["fk"]["table"] == tname and t != tname
            and (cname is None or spec["fk"]["column"] == cname)]
