"""SQL for schema changes, rendered from states without touching the database.

Built on ``playhouse.migrate``: its per-backend ``SchemaMigrator`` renders most
statements. Its operations run at once and some of them read the live schema
(SQLite table rebuilds, MySQL ``MODIFY``), so here they are only *rendered*, and
everything that needs the current table comes from the migration state instead.
That is what makes ``--dry-run`` exact and side-effect free.
"""
from __future__ import annotations

from typing import Any

import peewee
from playhouse.migrate import Operation, SchemaMigrator

from ...errors import MigrationError
from ..database import backend_name
from .state import Column, fk_name, index_name, indexes_of, peewee_type, same_family

_FK_ACTIONS = {"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"}


class _ColumnField(peewee.Field):
    """A peewee field built from a column dict, so peewee renders its DDL."""

    def __init__(self, name: str, spec: Column, default_sql: str | None, *,
                 null: bool | None = None, primary_key: bool | None = None) -> None:
        constraints = [peewee.SQL(f"DEFAULT {default_sql}")] if default_sql is not None else None
        super().__init__(null=spec["null"] if null is None else null,
                         primary_key=spec["primary_key"] if primary_key is None else primary_key,
                         constraints=constraints, column_name=name)
        self.name = name
        self.field_type, self._mods = peewee_type(spec["type"])  # type: ignore[misc]

    def get_modifiers(self) -> Any:
        return self._mods or None


def editor_for(db: peewee.Database) -> "SchemaEditor":
    backend = backend_name(db)
    cls = {"sqlite": SqliteEditor, "postgresql": PostgresEditor, "mysql": MySQLEditor}.get(backend)
    if cls is None:
        raise MigrationError(f"migrations do not support the {backend!r} backend")
    return cls(db)


class SchemaEditor:
    """Renders each schema change as a list of SQL statements (strings, no parameters)."""

    backend = ""
    transactional = True

    def __init__(self, db: peewee.Database) -> None:
        self.db = db
        self.migrator = SchemaMigrator.from_database(db)

    # -- rendering helpers ---------------------------------------------------------
    def render(self, result: Any) -> list[str]:
        """SQL of a playhouse ``Operation`` (or node, or list of them), without running it."""
        if isinstance(result, Operation):
            return self.render(result.fn(result.migrator, *result.args, **result.kwargs))
        if isinstance(result, (list, tuple)):
            return [sql for item in result for sql in self.render(item)]
        if isinstance(result, peewee.Context):
            sql, params = result.query()
        elif isinstance(result, peewee.Node):
            sql, params = self.migrator.make_context().sql(result).query()
        else:  # pragma: no cover - playhouse returned something new
            raise MigrationError(f"cannot render {result!r}")
        if params:  # pragma: no cover - every statement here inlines its literals
            raise MigrationError(f"unexpected parameters in {sql!r}")
        return [sql]

    def q(self, name: str) -> str:
        """A quoted identifier."""
        return self.render(peewee.Entity(name))[0]

    def literal(self, value: Any) -> str:
        """A SQL literal for a state default."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, (int, float)):
            return repr(value)
        return "'" + str(value).replace("'", "''") + "'"

    def native_type(self, type_name: str) -> str:
        field = _ColumnField("x", {"type": type_name, "null": True, "primary_key": False}, None)
        return self.render(field.ddl_datatype(self.migrator.make_context()))[0]

    def field(self, name: str, spec: Column, *, null: bool | None = None, default: bool = True,
              primary_key: bool | None = None) -> _ColumnField:
        lit = self.literal(spec["default"]) if default and spec["default"] is not None else None
        return _ColumnField(name, spec, lit, null=null, primary_key=primary_key)

    def column_sql(self, name: str, spec: Column, **kw: Any) -> str:
        field = self.field(name, spec, **kw)
        return self.render(field.ddl(self.migrator.make_context()))[0]

    def columns(self, names: list[str]) -> str:
        return ", ".join(self.q(n) for n in names)

    def fk_clause(self, table: str, name: str, fk: dict[str, Any]) -> str:
        sql = (f"CONSTRAINT {self.q(fk_name(table, name))} FOREIGN KEY ({self.q(name)}) "
               f"REFERENCES {self.q(fk['table'])} ({self.q(fk['column'])})")
        for key in ("on_delete", "on_update"):
            action = fk.get(key)
            if action:
                if str(action).upper() not in _FK_ACTIONS:
                    raise MigrationError(f"{table}.{name}: unknown {key} action {action!r}")
                sql += f" {key.upper().replace('_', ' ')} {str(action).upper()}"
        return sql

    def alter(self, table: str) -> str:
        return f"ALTER TABLE {self.q(table)}"

    # -- tables --------------------------------------------------------------------
    def create_table(self, table: str, tstate: dict[str, Any], *, indexes: bool = True,
                     owner: str | None = None) -> list[str]:
        """CREATE TABLE and its indexes; ``owner`` names the constraints (for a rebuild's copy)."""
        cols = tstate["columns"]
        pks = [n for n, c in cols.items() if c["primary_key"]]
        parts = [self.column_sql(n, c, primary_key=c["primary_key"] and len(pks) == 1)
                 for n, c in cols.items()]
        if len(pks) > 1:
            parts.append(f"PRIMARY KEY ({self.columns(pks)})")
        parts += [self.fk_clause(owner or table, n, c["fk"]) for n, c in cols.items() if c["fk"]]
        sql = [f"CREATE TABLE {self.q(table)} ({', '.join(parts)})"]
        if indexes:
            sql += [s for _, c, u in indexes_of(table, tstate) for s in self.add_index(table, c, u)]
        return sql

    def drop_table(self, table: str, tstate: dict[str, Any]) -> list[str]:
        return self.render(self.migrator.drop_table(table))

    def rename_table(self, old: str, new: str, before: dict[str, Any]) -> list[str]:
        sql = self.render(SchemaMigrator.rename_table(self.migrator, old, new))
        for name, cols, unique in indexes_of(old, before):
            sql += self.rename_index(new, name, index_name(new, cols), cols, unique)
        for col, spec in before["columns"].items():
            if spec["fk"]:
                sql += self.rename_fk(new, fk_name(old, col), col, spec["fk"])
        return sql

    # -- columns -------------------------------------------------------------------
    def add_column(self, table: str, name: str, before: dict[str, Any], after: dict[str, Any],
                   backfill: Any = None) -> list[str]:
        spec = after["columns"][name]
        if spec["primary_key"]:
            raise MigrationError(f"{table}.{name}: adding a primary-key column is not supported")
        fill = not spec["null"] and spec["default"] is None and backfill is not None
        field = self.field(name, spec, null=True if fill else None)
        sql = self.render(self.migrator.alter_add_column(table, name, field, allow_not_null=True))
        if fill:
            sql.append(f"UPDATE {self.q(table)} SET {self.q(name)} = {self.literal(backfill)}")
            sql += self.set_null(table, name, spec, null=False)
        if spec["fk"]:
            sql.append(f"{self.alter(table)} ADD {self.fk_clause(table, name, spec['fk'])}")
        if spec["unique"] or spec["index"]:
            sql += self.add_index(table, [name], spec["unique"])
        return sql

    def drop_column(self, table: str, name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        return [f"{self.alter(table)} DROP COLUMN {self.q(name)}"]

    def rename_column(self, table: str, old: str, new: str, before: dict[str, Any],
                      after: dict[str, Any]) -> list[str]:
        sql = self.render(SchemaMigrator.rename_column(self.migrator, table, old, new))
        for name, cols, unique in indexes_of(table, before):
            if old in cols:
                renamed = [new if c == old else c for c in cols]
                sql += self.rename_index(table, name, index_name(table, renamed), renamed, unique)
        fk = before["columns"][old]["fk"]
        if fk:
            sql += self.rename_fk(table, fk_name(table, old), new, fk)
        return sql

    def alter_column(self, table: str, name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        raise NotImplementedError

    def set_null(self, table: str, name: str, spec: Column, null: bool) -> list[str]:
        op = self.migrator.drop_not_null if null else self.migrator.add_not_null
        return self.render(op(table, name))

    def fill_nulls(self, table: str, name: str, old: Column, new: Column) -> list[str]:
        """Before NOT NULL with a default: give the NULL rows that default."""
        if old["null"] and not new["null"] and new["default"] is not None:
            return [f"UPDATE {self.q(table)} SET {self.q(name)} = {self.literal(new['default'])} "
                    f"WHERE {self.q(name)} IS NULL"]
        return []

    # -- indexes and constraints ---------------------------------------------------
    def add_index(self, table: str, columns: list[str], unique: bool) -> list[str]:
        return self.render(self.migrator.add_index(table, tuple(columns), unique,
                                                   name=index_name(table, columns)))

    def drop_index(self, table: str, columns: list[str]) -> list[str]:
        return self.render(self.migrator.drop_index(table, index_name(table, columns)))

    def rename_index(self, table: str, old: str, new: str, columns: list[str], unique: bool) -> list[str]:
        if old == new:
            return []
        return [f"ALTER INDEX {self.q(old)} RENAME TO {self.q(new)}"]

    def rename_fk(self, table: str, old: str, column: str, fk: dict[str, Any]) -> list[str]:
        new = fk_name(table, column)
        return [] if old == new else [f"{self.alter(table)} RENAME CONSTRAINT {self.q(old)} TO {self.q(new)}"]


class PostgresEditor(SchemaEditor):
    backend = "postgresql"

    def literal(self, value: Any) -> str:
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        return super().literal(value)

    def alter_column(self, table: str, name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        old, new = before["columns"][name], after["columns"][name]
        sql = []
        if old["fk"] and old["fk"] != new["fk"]:
            sql += self.render(self.migrator.drop_constraint(table, fk_name(table, name)))
        if old["type"] != new["type"]:
            native = self.native_type(new["type"])
            cast = None if same_family(old["type"], new["type"]) else f"{self.q(name)}::{native}"
            sql += self.render(self.migrator.alter_column_type(table, name, self.field(name, new), cast))
        if old["default"] != new["default"]:
            column = f"{self.alter(table)} ALTER COLUMN {self.q(name)}"
            sql.append(f"{column} DROP DEFAULT" if new["default"] is None
                       else f"{column} SET DEFAULT {self.literal(new['default'])}")
        if old["null"] != new["null"]:
            sql += self.fill_nulls(table, name, old, new) + self.set_null(table, name, new, new["null"])
        if new["fk"] and old["fk"] != new["fk"]:
            sql.append(f"{self.alter(table)} ADD {self.fk_clause(table, name, new['fk'])}")
        return sql


class MySQLEditor(SchemaEditor):
    backend = "mysql"
    transactional = False

    def literal(self, value: Any) -> str:
        if isinstance(value, str):  # MySQL also treats backslashes as escapes
            return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
        return super().literal(value)

    def field(self, name: str, spec: Column, *, null: bool | None = None, default: bool = True,
              primary_key: bool | None = None) -> _ColumnField:
        field = super().field(name, spec, null=null, default=False, primary_key=primary_key)
        if default and spec["default"] is not None:
            lit = self.literal(spec["default"])
            # MySQL 8 takes a TEXT/BLOB/JSON default only as an expression: DEFAULT ('x').
            if peewee_type(spec["type"])[0] in ("TEXT", "BLOB", "JSON"):
                lit = f"({lit})"
            field.constraints = [peewee.SQL(f"DEFAULT {lit}")]
        return field

    def modify(self, table: str, name: str, spec: Column) -> str:
        return f"{self.alter(table)} MODIFY {self.column_sql(name, spec)}"

    def set_null(self, table: str, name: str, spec: Column, null: bool) -> list[str]:
        return [self.modify(table, name, dict(spec, null=null))]

    def drop_fk(self, table: str, name: str) -> str:
        return f"{self.alter(table)} DROP FOREIGN KEY {self.q(name)}"

    def drop_column(self, table: str, name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        fk = before["columns"][name]["fk"]
        return ([self.drop_fk(table, fk_name(table, name))] if fk else []) + \
            super().drop_column(table, name, before, after)

    def rename_column(self, table: str, old: str, new: str, before: dict[str, Any],
                      after: dict[str, Any]) -> list[str]:
        fk = before["columns"][old]["fk"]
        if not fk:
            return super().rename_column(table, old, new, before, after)
        # MySQL cannot rename a foreign key: drop it around the rename, add it back named anew.
        plain = dict(before, columns=dict(before["columns"]))
        plain["columns"][old] = dict(plain["columns"][old], fk=None)
        return ([self.drop_fk(table, fk_name(table, old))]
                + super().rename_column(table, old, new, plain, after)
                + [f"{self.alter(table)} ADD {self.fk_clause(table, new, fk)}"])

    def alter_column(self, table: str, name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        old, new = before["columns"][name], after["columns"][name]
        definition = any(old[k] != new[k] for k in ("type", "null", "default"))
        refresh_fk = bool(old["fk"]) and (old["fk"] != new["fk"] or definition)
        sql = [self.drop_fk(table, fk_name(table, name))] if refresh_fk else []
        if definition:
            sql += self.fill_nulls(table, name, old, new) + [self.modify(table, name, new)]
        if new["fk"] and (refresh_fk or old["fk"] != new["fk"]):
            sql.append(f"{self.alter(table)} ADD {self.fk_clause(table, name, new['fk'])}")
        return sql

    def rename_index(self, table: str, old: str, new: str, columns: list[str], unique: bool) -> list[str]:
        return [] if old == new else [f"{self.alter(table)} RENAME INDEX {self.q(old)} TO {self.q(new)}"]

    def rename_fk(self, table: str, old: str, column: str, fk: dict[str, Any]) -> list[str]:
        if old == fk_name(table, column):
            return []
        return [self.drop_fk(table, old), f"{self.alter(table)} ADD {self.fk_clause(table, column, fk)}"]


class SqliteEditor(SchemaEditor):
    """SQLite alters little in place: other changes rebuild the table (create, copy, swap)."""

    backend = "sqlite"

    def add_column(self, table: str, name: str, before: dict[str, Any], after: dict[str, Any],
                   backfill: Any = None) -> list[str]:
        spec = after["columns"][name]
        if spec["primary_key"]:
            raise MigrationError(f"{table}.{name}: adding a primary-key column is not supported")
        if not spec["null"] and spec["default"] is None:  # SQLite cannot add it in place
            return self.rebuild(table, before, after, {name: self.literal(backfill)})
        field = self.field(name, spec)
        sql = self.render(self.migrator.alter_add_column(table, name, field, allow_not_null=True))
        if spec["fk"]:
            fk = spec["fk"]
            sql[0] += f" REFERENCES {self.q(fk['table'])} ({self.q(fk['column'])})"
            for key in ("on_delete", "on_update"):
                if fk.get(key):
                    sql[0] += f" {key.upper().replace('_', ' ')} {str(fk[key]).upper()}"
        if spec["unique"] or spec["index"]:
            sql += self.add_index(table, [name], spec["unique"])
        return sql

    def drop_column(self, table: str, name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        spec = before["columns"][name]
        if spec["fk"] or spec["primary_key"]:
            return self.rebuild(table, before, after)
        sql = self.drop_index(table, [name]) if spec["unique"] or spec["index"] else []
        return sql + super().drop_column(table, name, before, after)

    def alter_column(self, table: str, name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        old, new = before["columns"][name], after["columns"][name]
        expr = self.q(name)
        if old["null"] and not new["null"] and new["default"] is not None:
            expr = f"COALESCE({expr}, {self.literal(new['default'])})"
        return self.rebuild(table, before, after, {name: expr})

    def set_null(self, table: str, name: str, spec: Column, null: bool) -> list[str]:  # pragma: no cover
        raise MigrationError("SQLite changes NULL by rebuilding the table")

    def rename_index(self, table: str, old: str, new: str, columns: list[str], unique: bool) -> list[str]:
        if old == new:
            return []
        return self.render(self.migrator.drop_index(table, old)) + self.add_index(table, columns, unique)

    def rename_fk(self, table: str, old: str, column: str, fk: dict[str, Any]) -> list[str]:
        return []  # SQLite never refers to a constraint by name; a rebuild renames it

    def rebuild(self, table: str, before: dict[str, Any], after: dict[str, Any],
                exprs: dict[str, str] | None = None) -> list[str]:
        """The SQLite way to alter a table: a new table from ``after``, the rows copied over.

        Args:
            exprs: SQL giving a column's value from the old row (default: the old column
                of the same name, or the new column's default for a column that is new).
        """
        exprs = dict(exprs or {})
        temp = f"{table}__wolfpy_new"
        names = list(after["columns"])
        values = []
        for name in names:
            if name in exprs:
                values.append(exprs[name])
            elif name in before["columns"]:
                values.append(self.q(name))
            else:
                values.append(self.literal(after["columns"][name]["default"]))
        sql = self.create_table(temp, after, indexes=False, owner=table)
        sql += [f"INSERT INTO {self.q(temp)} ({self.columns(names)}) "
                f"SELECT {', '.join(values)} FROM {self.q(table)}",
                f"DROP TABLE {self.q(table)}"]
        sql += self.render(SchemaMigrator.rename_table(self.migrator, temp, table))
        sql += [s for _, cols, u in indexes_of(table, after) for s in self.add_index(table, cols, u)]
        return sql
