"""The recorder: the ``wolfpy_migrations`` table. A row means the migration is applied.

The row is written in the same transaction as the migration's schema changes (SQLite,
PostgreSQL), or after its last statement succeeded (MySQL), and deleted the same way
when the migration is reversed; nothing else writes it.
"""
from __future__ import annotations

import os
from typing import Any

from ...errors import MigrationError
from .loader import NAME
from .state import column

TABLE = "wolfpy_migrations"


class MigrationRecorder:
    """The applied migrations of one folder: the project's in ``wolfpy_migrations``, a
    plugin's in a table of its own (``wolfpy_migrations_<plugin>``)."""

    def __init__(self, db: Any, editor: Any, table: str = TABLE) -> None:
        self.db = db
        self.editor = editor
        self.table = table

    def database_exists(self) -> bool:
        """False only for a SQLite file that is not there yet (opening it would create it)."""
        if self.editor.backend == "sqlite":
            path = self.db.database
            return bool(path == ":memory:" or os.path.exists(path))
        return True

    def exists(self) -> bool:
        return self.database_exists() and bool(self.db.table_exists(self.table))

    def create_sql(self) -> str:
        name = self.editor.column_sql("name", column("varchar(255)", primary_key=True))
        applied_at = self.editor.column_sql("applied_at", column("datetime"))
        return f"CREATE TABLE IF NOT EXISTS {self.editor.q(self.table)} ({name}, {applied_at})"

    def applied(self) -> dict[str, Any]:
        """``{name: applied_at}`` of the applied migrations (empty before ``wolfpy db init``)."""
        if not self.exists():
            return {}
        q = self.editor.q
        cursor = self.db.cursor()
        cursor.execute(f"SELECT {q('name')}, {q('applied_at')} FROM {q(self.table)} ORDER BY {q('name')}")
        return {row[0]: row[1] for row in cursor.fetchall()}

    def _name(self, name: str) -> str:
        if not NAME.match(name):
            raise MigrationError(f"bad migration name {name!r}")
        return self.editor.literal(name)  # type: ignore[no-any-return]

    def record_sql(self, name: str) -> str:
        q = self.editor.q
        return (f"INSERT INTO {q(self.table)} ({q('name')}, {q('applied_at')}) "
                f"VALUES ({self._name(name)}, CURRENT_TIMESTAMP)")

    def unrecord_sql(self, name: str) -> str:
        q = self.editor.q
        return f"DELETE FROM {q(self.table)} WHERE {q('name')} = {self._name(name)}"
