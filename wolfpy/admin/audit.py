"""The audit log: one row per add, change and delete made through the admin.

The table is ``wolfpy_admin_log``. The admin is a built-in extension and
``wolfpy db migrate`` writes migrations only for the project's models and the enabled
plugins' models, so the admin creates this one table itself (``CREATE TABLE IF NOT
EXISTS``) the first time it needs it, in the project's database.
"""
from __future__ import annotations

import datetime
import json
import threading
from typing import Any

import peewee

from ..db import AutoField, CharField, DateTimeField, Model, TextField
from .forms import diff, dumps

ACTIONS = ("add", "change", "delete")
_ready: set[int] = set()
_lock = threading.Lock()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


class AdminLogEntry(Model):
    """Who changed what, when, with every changed field's value before and after."""

    id = AutoField()
    time = DateTimeField(default=_now, index=True)
    user_id = CharField(max_length=64, default="")
    username = CharField(max_length=150, default="")
    action = CharField(max_length=10)
    model = CharField(max_length=150, index=True)
    object_id = CharField(max_length=200, index=True)
    object_repr = CharField(max_length=200, default="")
    changes = TextField(default="{}")

    class Meta:
        table_name = "wolfpy_admin_log"

    admin = False

    def changed(self) -> dict[str, list[Any]]:
        try:
            data = json.loads(self.changes or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


def ensure_table(app: Any) -> None:
    """Create ``wolfpy_admin_log`` in ``app``'s database unless it exists (once per process)."""
    key = id(app.database)
    if key in _ready:
        return
    with _lock:
        if key not in _ready:
            AdminLogEntry.create_table(safe=True)  # bound, like the project's models, to app.database
            _ready.add(key)


def model_label(model: Any) -> str:
    return f"{model.__module__.rpartition('.')[2]}.{model.__name__}"


def record(request: Any, action: str, model: Any, object_id: Any, object_repr: str,
           before: dict[str, Any] | None, after: dict[str, Any] | None) -> AdminLogEntry | None:
    """Write one entry; a change that changed nothing writes none."""
    changes = diff(before, after)
    if action == "change" and not changes:
        return None
    ensure_table(request.app)
    user = request.user
    return AdminLogEntry.create(
        user_id=str(user.get_id()) if user is not None else "",
        username=str(getattr(user, "username", "") or "")[:150],
        action=action, model=model_label(model), object_id=str(object_id)[:200],
        object_repr=object_repr[:200], changes=dumps(changes))


def search(query: str, model: str | None = None, object_id: str | None = None) -> Any:
    """Entries, newest first, matching every word of ``query`` (user, object, model or action)."""
    select = AdminLogEntry.select()
    if model is not None:
        select = select.where(AdminLogEntry.model == model)
    if object_id is not None:
        select = select.where(AdminLogEntry.object_id == object_id)
    for word in query.split()[:10]:
        word = word.lower()
        select = select.where(
            peewee.fn.LOWER(AdminLogEntry.username).contains(word)
            | peewee.fn.LOWER(AdminLogEntry.object_repr).contains(word)
            | peewee.fn.LOWER(AdminLogEntry.model).contains(word)
            | (AdminLogEntry.action == word) | (AdminLogEntry.object_id == word))
    return select.order_by(AdminLogEntry.time.desc(), AdminLogEntry.id.desc())
