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

This module holds the operations on tables and indexes and ``RunSQL``; the ones on
columns are in :mod:`.column_operations`, and what every operation is, in :mod:`.base`.
All of them can be imported from here.
"""
from __future__ import annotations

import copy
from typing import Any

from ...errors import MigrationError
from .base import IrreversibleError, Operation, OperationContext, check_fk, get_column, get_table, referrers
from .column_operations import AddColumn, AlterColumn, DropColumn, RenameColumn
from .state import Column, State, index, table


class CreateTable(Operation):
    def __init__(self, name: str, columns: dict[str, Column | str],
                 indexes: list[dict[str, Any]] | tuple[()] = ()) -> None:
        self.name = name
        self.table = table(columns, indexes)

    def forwards(self, state: State) -> None:
        if self.name in state:
            raise MigrationError(f"CreateTable: table {self.name!r} already exists")
        for cname, spec in self.table["columns"].items():
            check_fk(state, f"CreateTable {self.name}.{cname}", spec, self.name, self.table)
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
        get_table(state, self.name, "DropTable")
        refs = referrers(state, self.name)
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
        tstate = get_table(state, self.old, "RenameTable")
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


class AddIndex(Operation):
    """An index on one column (the column's ``index``/``unique``) or several."""

    def __init__(self, table: str, columns: list[str] | tuple[str, ...] | str, unique: bool = False) -> None:
        self.table = table
        self.columns = [columns] if isinstance(columns, str) else list(columns)
        self.unique = bool(unique)

    def forwards(self, state: State) -> None:
        tstate = get_table(state, self.table, "AddIndex")
        for c in self.columns:
            get_column(state, self.table, c, "AddIndex")
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
        tstate = get_table(state, self.table, "DropIndex")
        if len(self.columns) == 1:
            spec = get_column(state, self.table, self.columns[0], "DropIndex")
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
