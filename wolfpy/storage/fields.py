"""``FileField``: a stored file on a model, whose replaced or deleted files are removed
after the transaction commits, and whose new files are removed if it rolls back.

peewee runs ``after_commit`` callbacks when the outermost transaction commits (at once
outside a transaction). There is no rollback callback, so the database's ``rollback``
is wrapped, once per database object. A savepoint rolled back inside a transaction
that then commits is covered by the rule every collection follows: a file is deleted
only when no row of the field's table names it any more.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

import peewee

from .base import StoredFile
from .uploads import current_storage

log = logging.getLogger("wolfpy.storage")
_local = threading.local()


class FileField(peewee.CharField):
    """A :class:`~wolfpy.storage.StoredFile` kept by its generated name (a string column).

    Assign what ``request.files["doc"].save()`` returned (or a stored name). Saving the
    row with another file, or ``delete_instance()``, deletes the old file once the
    transaction has committed; a rolled-back save deletes the file it brought. Bulk
    ``Model.delete()`` queries leave files alone.
    """

    def __init__(self, max_length: int = 255, *args: Any, **kwargs: Any) -> None:
        super().__init__(max_length, *args, **kwargs)

    def db_value(self, value: Any) -> Any:
        if isinstance(value, StoredFile):
            value = value.name
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        return StoredFile(value)

    def bind(self, model: Any, name: str, set_attribute: bool = True) -> None:
        super().bind(model, name, set_attribute)
        _watch_model(model)


def _file_fields(model: Any) -> list[FileField]:
    return [f for f in model._meta.sorted_fields if isinstance(f, FileField)]


def _name(value: Any) -> str | None:
    if isinstance(value, StoredFile):
        return value.name
    return value or None


def _real_db(model: Any) -> Any:
    db = model._meta.database
    current = getattr(db, "current", None)
    return current() if callable(current) else db


def _watch_model(model: Any) -> None:
    """Wrap ``model.save`` and ``delete_instance`` (once per class) to collect files."""
    if "_wolfpy_file_hooks" in model.__dict__:
        return
    model._wolfpy_file_hooks = True
    save, delete_instance = model.save, model.delete_instance

    def save_with_files(self: Any, *args: Any, **kwargs: Any) -> Any:
        fields = _file_fields(type(self))
        before: dict[str, str | None] = {}
        if self._pk is not None and fields and not kwargs.get("force_insert"):
            try:
                row = type(self).select(*fields).where(type(self)._meta.primary_key == self._pk).get()
            except peewee.DoesNotExist:
                row = None
            before = {f.name: _name(row.__data__.get(f.name)) if row is not None else None for f in fields}
        after = {f.name: _name(self.__data__.get(f.name)) for f in fields}
        old = [n for f, n in before.items() if n and n != after.get(f)]
        new = [n for f, n in after.items() if n and n != before.get(f)]
        db = _real_db(type(self))
        try:
            result = save(self, *args, **kwargs)
        except BaseException:
            if db.transaction_depth() == 0:
                _delete_unreferenced(type(self), new)
            else:
                _on_rollback(db, type(self), new)
            raise
        if db.transaction_depth():
            _on_rollback(db, type(self), new)
        db.after_commit(lambda: _delete_unreferenced(type(self), old + new))
        return result

    def delete_with_files(self: Any, *args: Any, **kwargs: Any) -> Any:
        names = [n for f in _file_fields(type(self)) if (n := _name(self.__data__.get(f.name)))]
        result = delete_instance(self, *args, **kwargs)
        _real_db(type(self)).after_commit(lambda: _delete_unreferenced(type(self), names))
        return result

    model.save = save_with_files
    model.delete_instance = delete_with_files


def _delete_unreferenced(model: Any, names: list[str]) -> None:
    """Delete each of ``names`` that no row of ``model`` names any more."""
    if not names:
        return
    try:
        storage = current_storage()
        for name in dict.fromkeys(names):
            if not any(model.select().where(f == name).exists() for f in _file_fields(model)):
                storage.delete(name)
    except Exception:  # a file left behind is better than a failed request after a commit
        log.exception("could not delete replaced files %s", names)


def _on_rollback(db: Any, model: Any, names: list[str]) -> None:
    """Delete ``names`` if ``db``'s transaction on this thread rolls back."""
    if not names:
        return
    _hook_rollback(db)
    pending = _pending(db)
    pending.append((model, names))


def _pending(db: Any) -> list[tuple[Any, list[str]]]:
    table = getattr(_local, "pending", None)
    if table is None:
        table = _local.pending = {}
    return table.setdefault(id(db), [])  # type: ignore[no-any-return]


def _hook_rollback(db: Any) -> None:
    if getattr(db, "_wolfpy_rollback_hook", False):
        return
    rollback, commit = db.rollback, db.commit

    def rollback_and_collect() -> Any:
        try:
            return rollback()
        finally:
            pending = _pending(db)
            todo, pending[:] = list(pending), []
            for model, names in todo:
                _delete_unreferenced(model, names)

    def commit_and_forget() -> Any:
        result = commit()
        _pending(db).clear()  # committed: after_commit decides what goes
        return result

    db.rollback = rollback_and_collect
    db.commit = commit_and_forget
    db._wolfpy_rollback_hook = True
