"""The Todo model: peewee on SQLite (TODO_DATABASE, or todo.sqlite3 beside the project)."""
from __future__ import annotations

import datetime
import os
import threading
from pathlib import Path

import peewee

db = peewee.SqliteDatabase(None, pragmas={"journal_mode": "wal", "foreign_keys": 1})
_lock = threading.Lock()


class Todo(peewee.Model):
    title = peewee.CharField(max_length=200)
    done = peewee.BooleanField(default=False)
    created = peewee.DateTimeField(default=lambda: datetime.datetime.now(datetime.timezone.utc))

    class Meta:
        database = db

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "done": self.done,
                "created": self.created.isoformat() if self.created else None}


def database_path() -> str:
    return os.environ.get("TODO_DATABASE") or str(Path(__file__).resolve().parent.parent / "todo.sqlite3")


def ensure_database() -> None:
    """Point the model at the configured file and create the table once."""
    path = database_path()
    if db.database == path:
        return
    with _lock:
        if db.database != path:
            if not db.is_closed():
                db.close()
            db.init(path)
            db.create_tables([Todo], safe=True)
            db.close()
