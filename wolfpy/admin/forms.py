"""The add and change forms: one widget per field type, and the posted values read back.

Widgets are rendered here as escaped HTML (``markupsafe``), so a value holding
``<script>`` or ``</textarea>`` shows as text. Reading a post converts each value to
its field's type and collects one message per field; nothing is saved unless every
field is valid.
"""
from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import math
import uuid
from typing import Any

import peewee
from markupsafe import Markup, escape

from ..errors import HTTPError
from ..storage.base import StoredFile
from ..storage.fields import FileField
from .options import PASSWORD_FIELDS, ModelAdmin, parse_int

#: A foreign key with more rows than this becomes a search box instead of a select.
FK_SELECT_LIMIT = 100
REQUIRED = "This field is required."


def _attrs(**attrs: Any) -> Markup:
    parts = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        key = key.rstrip("_").replace("_", "-")
        parts.append(Markup(" {}").format(key) if value is True else Markup(' {}="{}"').format(key, value))
    return Markup("").join(parts)


def display(value: Any) -> str:
    """A value as the change list and the read-only fields show it."""
    if value is None:
        return "—"
    if isinstance(value, StoredFile):
        return _file_link(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ", "seconds")
    return str(value)


def form_value(f: Any, value: Any) -> str:
    """A value as a form input holds it."""
    if value is None:
        return ""
    if isinstance(f, peewee.ForeignKeyField):
        return str(getattr(value, "get_id", lambda: value)())
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None).isoformat("T", "seconds")
    return str(value)


def _file_link(stored: StoredFile) -> Markup:
    try:
        text = stored.original_name or stored.name
    except OSError:
        text = stored.name
    return Markup('<a href="{}">{}</a>').format(stored.url, text)


def raw_value(instance: Any, f: Any) -> Any:
    """The stored value of ``f`` (a foreign key's id, not its row)."""
    if isinstance(f, peewee.ForeignKeyField):
        return instance.__data__.get(f.name)
    return getattr(instance, f.name)


def label(f: Any) -> str:
    return (f.verbose_name or f.name.replace("_", " ")).capitalize()


def widget(admin: ModelAdmin, f: Any, value: str, error: str | None) -> Markup:
    """The input of one form field, with ``id="f-<name>"`` (its label points there)."""
    ident = f"f-{f.name}"
    described = f"{ident}-error" if error else (f"{ident}-help" if f.help_text else None)
    common = dict(id=ident, name=f.name, aria_invalid="true" if error else None, aria_describedby=described)
    required = not f.null and f.default is None and not isinstance(f, peewee.BooleanField)
    if f.name in PASSWORD_FIELDS:
        return Markup("<input{}>").format(_attrs(type="password", autocomplete="new-password", **common))
    if isinstance(f, FileField):  # the current file as a link, and an input to replace it
        current = Markup('<span class="file-current">{}</span> ').format(_file_link(StoredFile(value))) \
            if value else Markup("")
        return current + Markup("<input{}>").format(_attrs(type="file", required=required and not value,
                                                           **common))
    if isinstance(f, peewee.BooleanField):
        return Markup("<input{}>").format(_attrs(type="checkbox", value="1", checked=value in ("True", "1"),
                                                 **common))
    if f.choices:
        options = [Markup('<option value=""{}>—</option>').format(" selected" if value == "" else "")]
        for key, text in f.choices:
            options.append(Markup('<option value="{}"{}>{}</option>').format(
                key, " selected" if str(key) == value else "", text))
        return Markup("<select{}>{}</select>").format(_attrs(required=required, **common), Markup("").join(options))
    if isinstance(f, peewee.ForeignKeyField):
        return _foreign_key(admin, f, value, required, common)
    if isinstance(f, peewee.TextField):
        return Markup("<textarea{}>{}</textarea>").format(_attrs(rows=6, required=required, **common), value)
    kind, extra = "text", {}
    if isinstance(f, (peewee.IntegerField, peewee.AutoField)):
        kind, extra = "number", {"step": "1"}
    elif isinstance(f, (peewee.FloatField, peewee.DecimalField)):
        kind, extra = "number", {"step": "any"}
    elif isinstance(f, peewee.DateTimeField):
        kind, extra = "datetime-local", {"step": "1"}
    elif isinstance(f, peewee.DateField):
        kind = "date"
    elif isinstance(f, peewee.TimeField):
        kind = "time"
    elif "email" in f.name:
        kind = "email"
    maxlength = getattr(f, "max_length", None) if isinstance(f, peewee.CharField) else None
    return Markup("<input{}>").format(_attrs(type=kind, value=value, maxlength=maxlength, required=required,
                                             **extra, **common))


def _foreign_key(admin: ModelAdmin, f: Any, value: str, required: bool, common: dict[str, Any]) -> Markup:
    rel = f.rel_model
    rows = list(rel.select().order_by(rel._meta.primary_key).limit(FK_SELECT_LIMIT + 1))
    if len(rows) <= FK_SELECT_LIMIT:
        options = [Markup('<option value="">—</option>')]
        for row in rows:
            key = str(row.get_id())
            options.append(Markup('<option value="{}"{}>{}</option>').format(
                key, " selected" if key == value else "", str(row)))
        return Markup("<select{}>{}</select>").format(_attrs(required=required, **common), Markup("").join(options))
    # Past FK_SELECT_LIMIT rows: a box for the id; admin.js adds suggestions from the lookup URL.
    lookup = f"{admin.group}/{admin.slug}/lookup/{f.name}"
    current = ""
    if value:
        found = rel.get_or_none(rel._meta.primary_key == value) if value.lstrip("-").isdigit() or not isinstance(
            rel._meta.primary_key, (peewee.AutoField, peewee.IntegerField)) else None
        current = str(found) if found is not None else ""
    return Markup('<input{}><span class="fk-current">{}</span>').format(
        _attrs(type="search", value=value, required=required, inputmode="search", autocomplete="off",
               data_lookup=lookup, placeholder=f"{rel.__name__} id or search", **common), current)


def _convert(f: Any, raw: str) -> Any:
    """``raw`` converted for ``f``; raises ValueError with the message shown under the field."""
    if isinstance(f, peewee.ForeignKeyField):
        target = f.rel_field
        value = _convert(target, raw)
        if f.rel_model.get_or_none(target == value) is None:
            raise ValueError(f"No {f.rel_model.__name__} with id {raw}.")
        return value
    if "\x00" in raw:   # PostgreSQL refuses it in text
        raise ValueError("Remove the NUL character.")
    if f.choices and raw not in {str(k) for k, _ in f.choices}:
        raise ValueError("Select one of the choices.")
    if isinstance(f, (peewee.IntegerField, peewee.AutoField)):
        value = parse_int(raw)
        if value is None:
            raise ValueError("Enter a whole number.")
        kind = type(f).__name__   # what the column holds: 16, 64 or else 32 bits
        bits = 16 if "Small" in kind else 64 if "Big" in kind else 32
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise ValueError(f"Enter a whole number from {-(2 ** (bits - 1))} to {2 ** (bits - 1) - 1}.")
        return value
    if isinstance(f, peewee.DecimalField):
        try:
            dec = decimal.Decimal(raw)
        except decimal.InvalidOperation:
            raise ValueError("Enter a number.") from None
        if not dec.is_finite():
            raise ValueError("Enter a number.")
        whole = (f.max_digits or 0) - (f.decimal_places or 0)   # digits before the point
        if f.max_digits and dec.adjusted() >= whole:
            raise ValueError(f"Enter a number below {decimal.Decimal(10) ** whole:,f}.")
        if f.decimal_places is not None:   # 1e-999999 overflows PostgreSQL's numeric format
            dec = dec.quantize(decimal.Decimal(1).scaleb(-f.decimal_places), rounding=decimal.ROUND_HALF_EVEN)
        return dec
    if isinstance(f, peewee.FloatField):
        try:
            number = float(raw)
        except ValueError:
            raise ValueError("Enter a number.") from None
        if not math.isfinite(number):
            raise ValueError("Enter a number.")
        return number
    if isinstance(f, peewee.DateTimeField):
        try:
            return datetime.datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError("Enter a date and time (YYYY-MM-DD HH:MM).") from None
    if isinstance(f, peewee.DateField):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise ValueError("Enter a date (YYYY-MM-DD).") from None
    if isinstance(f, peewee.TimeField):
        try:
            return datetime.time.fromisoformat(raw)
        except ValueError:
            raise ValueError("Enter a time (HH:MM).") from None
    if isinstance(f, peewee.UUIDField):
        try:
            return uuid.UUID(raw)
        except ValueError:
            raise ValueError("Enter a UUID.") from None
    max_length = getattr(f, "max_length", None)
    if isinstance(f, peewee.CharField) and max_length and len(raw) > max_length:
        raise ValueError(f"At most {max_length} characters (this has {len(raw)}).")
    return raw


def read_form(admin: ModelAdmin, form: Any, instance: Any | None) -> tuple[dict[str, Any], dict[str, str],
                                                                          dict[str, str]]:
    """``(values, errors, shown)`` from a posted form: converted values of the editable
    fields, one message per bad field, and the text to show again in each input."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    shown: dict[str, str] = {}
    for f in admin.form_fields():
        if not admin.editable(f) or isinstance(f, FileField):  # files: read_files()
            continue
        if isinstance(f, peewee.BooleanField):
            values[f.name] = form.get(f.name) in ("1", "on", "true")
            shown[f.name] = "1" if values[f.name] else ""
            continue
        raw = (form.get(f.name) or "")
        if not isinstance(f, peewee.TextField):
            raw = raw.strip()
        shown[f.name] = "" if f.name in PASSWORD_FIELDS else raw
        if f.name in PASSWORD_FIELDS:
            if raw:
                from ..auth import hash_password
                values[f.name] = hash_password(raw)
            elif instance is None:
                errors[f.name] = REQUIRED
            continue
        if raw == "":
            if f.null:
                values[f.name] = None
            elif f.default is not None and instance is None:
                continue  # the model's default applies
            elif isinstance(f, peewee.TextField) or (isinstance(f, peewee.CharField) and f.default == ""):
                values[f.name] = ""  # a text that may be empty
            else:
                errors[f.name] = REQUIRED
            continue
        try:
            values[f.name] = _convert(f, raw)
        except ValueError as exc:
            errors[f.name] = str(exc)
    return values, errors, shown


def read_files(admin: ModelAdmin, request: Any, instance: Any | None, values: dict[str, Any],
               errors: dict[str, str]) -> None:
    """Store each posted file of a ``FileField`` (``[storage]`` limits apply) into ``values``;
    no file keeps the current one. Run after the other fields are valid."""
    for f in admin.form_fields():
        if not admin.editable(f) or not isinstance(f, FileField):
            continue
        upload = request.files.get(f.name)
        if upload is None:
            if instance is None and not f.null and f.default is None:
                errors[f.name] = REQUIRED
            continue
        try:
            values[f.name] = upload.save()
        except HTTPError as exc:  # too large (413), a type not allowed (415)
            errors[f.name] = exc.message
    if errors:  # nothing is saved: neither are the files stored just now
        for value in values.values():
            if isinstance(value, StoredFile) and value.storage is not None:
                value.storage.delete(value.name)


def snapshot(admin: ModelAdmin, instance: Any) -> dict[str, Any]:
    """The stored values of ``instance`` as JSON-safe text, for the audit log (password hashes
    replaced by a fingerprint; fields in ``Admin.exclude`` left out, as everywhere in the admin)."""
    out: dict[str, Any] = {}
    for f in admin.meta.sorted_fields:
        if f.name in admin.exclude:
            continue
        value = raw_value(instance, f)
        if f.name in PASSWORD_FIELDS and value:
            # Never the hash itself; a short fingerprint of it, so a new password shows as a change.
            value = "******** " + hashlib.sha256(str(value).encode()).hexdigest()[:8]
        elif value is not None and not isinstance(value, (bool, int, float, str)):
            value = form_value(f, value)
        out[f.name] = value
    return out


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for every field whose value differs."""
    names = list((after or before or {}).keys())
    out = {}
    for name in names:
        a = (before or {}).get(name)
        b = (after or {}).get(name)
        if before is None or after is None or a != b:
            out[name] = [a, b]
    return out


def dumps(data: Any) -> str:
    return json.dumps(data, default=str, ensure_ascii=False)


__all__ = ["FK_SELECT_LIMIT", "display", "diff", "form_value", "label", "read_form", "snapshot", "widget",
           "escape"]
