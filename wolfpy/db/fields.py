"""Fields peewee lacks in a portable form."""
from __future__ import annotations

import json
from typing import Any

import peewee

from ..storage.fields import FileField

__all__ = ["FileField", "JSONField"]


class JSONField(peewee.TextField):
    """Any JSON value, stored as text: the same column on SQLite, PostgreSQL and MySQL.

    (Query inside it with your database's JSON functions if you need to; for
    WolfPy it is a value that round-trips.)
    """

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def python_value(self, value: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        return json.loads(value)
