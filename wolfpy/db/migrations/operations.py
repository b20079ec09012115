"""The operations a migration file lists: each changes the state, renders SQL, and knows its reverse.

    operations = [
        CreateTable("user", {"id": {"type": "auto", "primary_key": True},
                             "name": {"type": "varchar(100)", "unique": True}}),
        AddColumn("post", "subtitle", {"type": "varchar(200)", "null": True}),
        RunSQL("UPDATE post SET subtitle = title", reverse_sql="UPDATE post SET subtitle = NULL"),
    ]

An operation's reverse is computed from the state before it (``DropColumn`` re-adds
the column exactly as it was); one that has none raises :class:`IrreversibleError`
before anything runs.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

from ...errors import MigrationError
from .state import Column, State, clone, column, index, narrowing, table


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


def _table(state: State, name: str, op: str) -> dict[str, Any]:
    if name not in state:
        raise MigrationError(f"{op}: no table {name!r}")
    return state[name]


def _column(state: State, tname: str, cname: str, op: str) -> Column:
    cols = _table(state, tname, op)["columns"]
    if cname not in cols:
        raise MigrationError(f"{op}: no column {tname}.{cname}")
    return cols[cname]  # type: ignore[no-any-return]


def _check_fk(state: State, where: str, spec: Column, own_table: str, own: dict[str, Any]) -> None:
    fk = spec["fk"]
    if not fk:
        return
    target = own if fk["table"] == own_table else state.get(fk["table"])
    if target is None or fk["column"] not in target["columns"]:
        raise MigrationError(f"{where}: references {fk['table']}.{fk['column']}, which does not exist")


def _referrers(state: State, tname: str, cname: str | None = None) -> list[str]:
    return [f"{t}.{c}" for t, ts in state.items() for c, spec in ts["columns"].items()
            if spec["fk"] and spec["fk"]["table"] == tname and t != tname
            and (cname is None or spec["fk"]["column"] == cname)]


class CreateTable(Operation):
    def __init__(self, name: str, columns: dict[str, Column | str],
                 indexes: list[dict[str, Any]] | tuple[()] = ()) -> None:
        self.name = name
        self.table = table(columns, indexes)

    def forwards(self, state: State) -> None:
        if self.name in state:
            raise MigrationError(f"CreateTable: table {self.name!r} already exists")
        for cname, spec in self.table["columns"].items():
            _check_fk(state, f"CreateTable {self.name}.{cname}", spec, self.name, self.table)
        state[self.name] = copy.deepcopy(self.table)

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:
        return editor.create_table(self.name, after[self.name])  # type: ignore[no-any-return]

    def reversed(self, before: State) -> Operation:
        return DropTable(self.name)

    def describe(self) -> str:
        return f"create table {self.name}"

    def slug(self) -> str:
        return f"create_{self.name}"

    def args(self) -> tuple[list[Any], dict[str, Any]]:
        kwargs = {"indexes": self.table["indexes"]} if self.table["indexes"] else {}
        return [self.name, self.table["columns"]], kwargs


class DropTable(Operation):
    def __init__(self, name: str) -> None:
        self.name = name

    def forwards(self, state: State) -> None:
        _table(state, self.name, "DropTable")
        refs = _referrers(state, self.name)
        if refs:
            raise MigrationError(f"DropTable {self.name}: still referenced by {', '.join(refs)}")
        del state[self.name]

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:
        return editor.drop_table(self.name, before[self.name])  # type: ignore[no-any-return]

    def reversed(self, before: State) -> Operation:
        tstate = before[self.name]
        return CreateTable(self.name, tstate["columns"], tstate["indexes"])

    def destructive(self, before: State) -> str | None:
        return f"drops table {self.name} and all its rows"

    def describe(self) -> str:
        return f"drop table {self.name}"

    def slug(self) -> str:
        return f"drop_{self.name}"

    def args(self) -> tuple[list[Any], dict[str, Any]]:
        return [self.name], {}


class RenameTable(Operation):
    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def forwards(self, state: State) -> None:
        tstate = _table(state, self.old, "RenameTable")
        if self.new in state:
            raise MigrationError(f"RenameTable: table {self.new!r} already exists")
        items = [(self.new if k == self.old else k, v) for k, v in state.items()]
        state.clear()
        state.update(items)
        state[self.new] = tstate
        for ts in state.values():
            for spec in ts["columns"].values():
                if spec["fk"] and spec["fk"]["table"] == self.old:
                    spec["fk"]["table"] = self.new

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:
        return editor.rename_table(self.old, self.new, before[self.old])  # type: ignore[no-any-return]

    def reversed(self, before: State) -> Operation:
        return RenameTable(self.new, self.old)

    def describe(self) -> str:
        return f"rename table {self.old} to {self.new}"

    def slug(self) -> str:
        return f"rename_{self.old}_{self.new}"

    def args(self) -> tuple[list[Any], dict[str, Any]]:
        return [self.old, self.new], {}


class AddColumn(Operation):
    """Add a column. ``backfill`` fills existing rows of a NOT NULL column that has no
    database default (e.g. one whose model default is a Python callable)."""

    def __init__(self, table: str, name: str, spec: Column | str, backfill: Any = None) -> None:
        self.table, self.name, self.spec, self.backfill = table, name, column(spec), backfill

    def forwards(self, state: State) -> None:
        tstate = _table(state, self.table, "AddColumn")
        if self.name in tstate["columns"]:
            raise MigrationError(f"AddColumn: column {self.table}.{self.name} already exists")
        _check_fk(state, f"AddColumn {self.table}.{self.name}", self.spec, self.table, tstate)
        tstate["columns"][self.name] = copy.deepcopy(self.spec)

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:
        return editor.add_column(self.table, self.name, before[self.table],  # type: ignore[no-any-return]
                                 after[self.table], self.backfill)

    def reversed(self, before: State) -> Operation:
        return DropColumn(self.table, self.name)

    def _unfillable(self) -> bool:
        return not self.spec["null"] and self.spec["default"] is None and self.backfill is None

    def destructive(self, before: State) -> str | None:
        if self._unfillable():
            return (f"adds NOT NULL column {self.table}.{self.name} without a default "
                    f"(fails if {self.table} has rows)")
        return None

    def preflight(self, before: State) -> list[tuple[str, str]]:
        if not self._unfillable():
            return []
        return [(self.table, f"{self.table} has rows, and {self.table}.{self.name} is NOT NULL "
                             "without a default: give it a default or null=True")]

    def describe(self) -> str:
        return f"add column {self.table}.{self.name} {self.spec['type']}"

    def slug(self) -> str:
        return f"add_{self.table}_{self.name}"

    def args(self) -> tuple[list[Any], dict[str, Any]]:
        return [self.table, self.name, self.spec], ({"backfill": self.backfill} if self.backfill is not None else {})


class DropColumn(Operation):
    def __init__(self, table: str, name: str) -> None:
        self.table, self.name = table, name

    def forwards(self, state: State) -> None:
        spec = _column(state, self.table, self.name, "DropColumn")
        tstate = state[self.table]
        if spec["primary_key"]:
            raise MigrationError(f"DropColumn: {self.table}.{self.name} is the primary key")
        if len(tstate["columns"]) == 1:
            raise MigrationError(f"DropColumn: {self.name} is the last column of {self.table}")
        for idx in tstate["indexes"]:
            if self.name in idx["columns"]:
                raise MigrationError(f"DropColumn {self.table}.{self.name}: drop the index on "
                                     f"({', '.join(idx['columns'])}) first")
        refs = _referrers(state, self.table, self.name)
        if refs:
            raise MigrationError(f"DropColumn {self.table}.{self.name}: referenced by {', '.join(refs)}")
        del tstate["columns"][self.name]

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:
        return editor.drop_column(self.table, self.name, before[self.table],  # type: ignore[no-any-return]
                                  after[self.table])

    def reversed(self, before: State) -> Operation:
        return AddColumn(self.table, self.name, before[self.table]["columns"][self.name])

    def destructive(self, before: State) -> str | None:
        return f"drops column {self.table}.{self.name} and its data"

    def describe(self) -> str:
        return f"drop column {self.table}.{self.name}"

    def slug(self) -> str:
        return f"remove_{self.table}_{self.name}"

    def args(self) -> tuple[list[Any], dict[str, Any]]:
        return [self.table, self.name], {}


class AlterColumn(Operation):
    """Change a column's ``type``, ``null``, ``default`` and/or ``fk`` (only those given)."""

    KEYS = ("type", "null", "default", "fk")

    def __init__(self, table: str, name: str, **changes: Any) -> None:
        unknown = set(changes) - set(self.KEYS)
        if unknown or not changes:
            raise MigrationError(f"AlterColumn {table}.{name}: give some of {', '.join(self.KEYS)}"
                                 + (f" (not {', '.join(sorted(unknown))})" if unknown else ""))
        probe = column(dict({"type": "text"}, **changes))
        self.table, self.name = table, name
        self.changes = {k: probe[k] for k in changes}

    def forwards(self, state: State) -> None:
        spec = _column(state, self.table, self.name, "AlterColumn")
        if spec["primary_key"]:
            raise MigrationError(f"AlterColumn: changing the primary key {self.table}.{self.name} "
                                 "is not supported; write a RunSQL migration")
        new = column(dict(spec, **self.changes))
        _check_fk(state, f"AlterColumn {self.table}.{self.name}", new, self.table, state[self.table])
        state[self.table]["columns"][self.name] = new

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:
        return editor.alter_column(self.table, self.name, before[self.table],  # type: ignore[no-any-return]
                                   after[self.table])

    def reversed(self, before: State) -> Operation:
        old = before[self.table]["columns"][self.name]
        return AlterColumn(self.table, self.name, **{k: old[k] for k in self.changes})

    def destructive(self, before: State) -> str | None:
        old = before[self.table]["columns"][self.name]
        new = column(dict(old, **self.changes))
        reasons = []
        if narrowing(old["type"], new["type"]):
            reasons.append(f"changes {self.table}.{self.name} from {old['type']} to {new['type']} "
                           "(may cut or reject existing values)")
        if old["null"] and not new["null"] and new["default"] is None:
            reasons.append(f"makes {self.table}.{self.name} NOT NULL without a default "
                           "(fails if it holds NULLs)")
        return "; ".join(reasons) or None

    def describe(self) -> str:
        changes = ", ".join(f"{k}={v!r}" for k, v in self.changes.items())
        return f"alter column {self.table}.{self.name}: {changes}"

    def slug(self) -> str:
        return f"alter_{self.table}_{self.name}"

    def args(self) -> tuple[list[Any], dict[str, Any]]:
        return [self.table, self.name], dict(self.changes)


class RenameColumn(Operation):
    def __init__(self, table: str, old: str, new: str) -> None:
        self.table, self.old, self.new = table, old, new

    def forwards(self, state: State) -> None:
        _column(state, self.table, self.old, "RenameColumn")
        tstate = state[self.table]
        if self.new in tstate["columns"]:
            raise MigrationError(f"RenameColumn: column {self.table}.{self.new} already exists")
        tstate["columns"] = {(self.new if k == self.old else k): v for k, v in tstate["columns"].items()}
        for idx in tstate["indexes"]:
            idx["columns"] = [self.new if c == self.old else c for c in idx["columns"]]
        for ts in state.values():
            for spec in ts["columns"].values():
                fk = spec["fk"]
                if fk and fk["table"] == self.table and fk["column"] == self.old:
                    fk["column"] = self.new

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:
        return editor.rename_column(self.table, self.old, self.new,  # type: ignore[no-any-return]
                                    before[self.table], after[self.table])

    def reversed(self, before: State) -> Operation:
        return RenameColumn(self.table, self.new, self.old)

    def describe(self) -> str:
        return f"rename column {self.table}.{self.old} to {self.new}"

    def slug(self) -> str:
        return f"rename_{self.table}_{self.old}_{self.new}"

    def args(self) -> tuple[list[Any], dict[str, Any]]:
        return [self.table, self.old, self.new], {}


class AddIndex(Operation):
    """An index on one column (the column's ``index``/``unique``) or several."""

    def __init__(self, table: str, columns: list[str] | tuple[str, ...] | str, unique: bool = False) -> None:
        self.table = table
        self.columns = [columns] if isinstance(columns, str) else list(columns)
        self.unique = bool(unique)

    def forwards(self, state: State) -> None:
        tstate = _table(state, self.table, "AddIndex")
        for c in self.columns:
            _column(state, self.table, c, "AddIndex")
        if len(self.columns) == 1:
            spec = tstate["columns"][self.columns[0]]
            if spec["unique"] or spec["index"] or spec["primary_key"]:
                raise MigrationError(f"AddIndex: {self.table}.{self.columns[0]} is already indexed")
            spec["unique" if self.unique else "index"] = True
        elif any(i["columns"] == self.columns for i in tstate["indexes"]):
            raise MigrationError(f"AddIndex: {self.table}({', '.join(self.columns)}) already exists")
        else:
            tstate["indexes"].append(index(self.columns, self.unique))

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:
        return editor.add_index(self.table, self.columns, self.unique)  # type: ignore[no-any-return]

    def reversed(self, before: State) -> Operation:
        return DropIndex(self.table, self.columns)

    def describe(self) -> str:
        return f"add {'unique ' if self.unique else ''}index on {self.table}({', '.join(self.columns)})"

    def slug(self) -> str:
        return f"index_{self.table}_{'_'.join(self.columns)}"

    def args(self) -> tuple[list[Any], dict[str, Any]]:
        return [self.table, self.columns], ({"unique": True} if self.unique else {})


class DropIndex(Operation):
    def __init__(self, table: str, columns: list[str] | tuple[str, ...] | str) -> None:
        self.table = table
        self.columns = [columns] if isinstance(columns, str) else list(columns)

    def _unique(self, state: State) -> bool:
        tstate = _table(state, self.table, "DropIndex")
        if len(self.columns) == 1:
            spec = _column(state, self.table, self.columns[0], "DropIndex")
            if spec["unique"] or spec["index"]:
                return bool(spec["unique"])
        else:
            for idx in tstate["indexes"]:
                if idx["columns"] == self.columns:
                    return bool(idx["unique"])
        raise MigrationError(f"DropIndex: no index on {self.table}({', '.join(self.columns)})")

    def forwards(self, state: State) -> None:
        self._unique(state)
        tstate = state[self.table]
        if len(self.columns) == 1:
            tstate["columns"][self.columns[0]].update(unique=False, index=False)
        else:
            tstate["indexes"] = [i for i in tstate["indexes"] if i["columns"] != self.columns]

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:
        return editor.drop_index(self.table, self.columns)  # type: ignore[no-any-return]

    def reversed(self, before: State) -> Operation:
        return AddIndex(self.table, self.columns, self._unique(before))

    def describe(self) -> str:
        return f"drop index on {self.table}({', '.join(self.columns)})"

    def slug(self) -> str:
        return f"drop_index_{self.table}_{'_'.join(self.columns)}"

    def args(self) -> tuple[list[Any], dict[str, Any]]:
        return [self.table, self.columns], {}


class RunSQL(Operation):
    """Hand-written SQL (a string, or a list run in order). Without ``reverse_sql`` the
    migration cannot be rolled back. It does not change the state: if it changes the
    schema, write the resulting ``state`` in the file too."""

    def __init__(self, sql: str | list[str], reverse_sql: str | list[str] | None = None) -> None:
        self.statements = [sql] if isinstance(sql, str) else list(sql)
        self.reverse_statements = ([reverse_sql] if isinstance(reverse_sql, str)
                                   else None if reverse_sql is None else list(reverse_sql))

    def forwards(self, state: State) -> None:
        pass

    def database_sql(self, editor: Any, before: State, after: State) -> list[str]:
        return list(self.statements)

    def reversed(self, before: State) -> Operation:
        if self.reverse_statements is None:
            raise IrreversibleError(f"RunSQL({self._short()}) has no reverse_sql")
        return RunSQL(self.reverse_statements, self.statements)

    def _short(self) -> str:
        text = " ".join(self.statements[0].split()) if self.statements else ""
        return repr(text if len(text) <= 40 else text[:37] + "...")

    def describe(self) -> str:
        return f"run SQL {self._short()}"

    def slug(self) -> str:
        return "run_sql"

    def args(self) -> tuple[list[Any], dict[str, Any]]:
        sql: Any = self.statements[0] if len(self.statements) == 1 else self.statements
        rev: Any = self.reverse_statements
        if rev is not None and len(rev) == 1:
            rev = rev[0]
        return [sql], ({"reverse_sql": rev} if rev is not None else {})


__all__ = ["AddColumn", "AddIndex", "AlterColumn", "CreateTable", "DropColumn", "DropIndex",
           "DropTable", "IrreversibleError", "Operation", "OperationContext", "RenameColumn",
           "RenameTable", "RunSQL"]
