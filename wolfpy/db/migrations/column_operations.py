"""The operations on columns: ``AddColumn``, ``DropColumn``, ``AlterColumn``, ``RenameColumn``.

Migration files import them from :mod:`wolfpy.db.migrations`.
"""
from __future__ import annotations

import copy
from typing import Any

from ...errors import MigrationError
from .base import Operation, check_fk, get_column, get_table, referrers
from .state import Column, State, column, narrowing, table


class AddColumn(Operation):
    """Add a column. ``backfill`` fills existing rows of a NOT NULL column that has no
    database default (e.g. one whose model default is a Python callable)."""

    def __init__(self, table: str, name: str, spec: Column | str, backfill: Any = None) -> None:
        self.table, self.name, self.spec, self.backfill = table, name, column(spec), backfill

    def forwards(self, state: State) -> None:
        tstate = get_table(state, self.table, "AddColumn")
        if self.name in tstate["columns"]:
            raise MigrationError(f"AddColumn: column {self.table}.{self.name} already exists")
        check_fk(state, f"AddColumn {self.table}.{self.name}", self.spec, self.table, tstate)
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
        spec = get_column(state, self.table, self.name, "DropColumn")
        tstate = state[self.table]
        if spec["primary_key"]:
            raise MigrationError(f"DropColumn: {self.table}.{self.name} is the primary key")
        if len(tstate["columns"]) == 1:
            raise MigrationError(f"DropColumn: {self.name} is the last column of {self.table}")
        for idx in tstate["indexes"]:
            if self.name in idx["columns"]:
                raise MigrationError(f"DropColumn {self.table}.{self.name}: drop the index on "
                                     f"({', '.join(idx['columns'])}) first")
        refs = referrers(state, self.table, self.name)
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
        spec = get_column(state, self.table, self.name, "AlterColumn")
        if spec["primary_key"]:
            raise MigrationError(f"AlterColumn: changing the primary key {self.table}.{self.name} "
                                 "is not supported; write a RunSQL migration")
        new = column(dict(spec, **self.changes))
        check_fk(state, f"AlterColumn {self.table}.{self.name}", new, self.table, state[self.table])
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
        get_column(state, self.table, self.old, "RenameColumn")
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


__all__ = ["AddColumn", "AlterColumn", "DropColumn", "RenameColumn"]
