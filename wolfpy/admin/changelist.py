"""The change list's query, built from the URL: search, filters, sort and page.

The query string is hostile input. A sort column, a filter or a search field is used
only when it names a field the model's admin allows; a value that does not convert to
the field's type is dropped; a page number is clamped. Nothing a client sends becomes
an SQL identifier.
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import peewee

from .options import ModelAdmin, parse_int

MAX_SEARCH_WORDS = 10
MAX_SEARCH_LENGTH = 200
FK_FILTER_CHOICES = 100
KEEP = ("q", "o")  # query parameters carried by every link of the list


def _is_date(f: Any) -> bool:
    return isinstance(f, (peewee.DateField, peewee.DateTimeField))


def _parse_date(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw.strip()) if raw and len(raw) <= 10 else None
    except ValueError:
        return None


@dataclass
class FilterChoice:
    label: str
    params: dict[str, str]
    selected: bool


@dataclass
class Filter:
    """One sidebar of the change list."""

    name: str
    title: str
    kind: str                              # boolean | choices | foreign_key | date
    choices: list[FilterChoice] = field(default_factory=list)
    date_from: str = ""
    date_to: str = ""


def _coerce(f: Any, raw: str) -> tuple[bool, Any]:
    """``(ok, value)``: the filter value ``raw`` converted to ``f``'s type."""
    if raw == "" or len(raw) > 200 or "\x00" in raw:
        return False, None
    if isinstance(f, peewee.BooleanField):
        return (True, raw == "1") if raw in ("0", "1") else (False, None)
    target = f.rel_field if isinstance(f, peewee.ForeignKeyField) else f
    if isinstance(target, (peewee.IntegerField, peewee.AutoField)):
        number = parse_int(raw)
        return (False, None) if number is None else (True, number)
    if isinstance(target, (peewee.FloatField, peewee.DecimalField)):
        try:
            value = float(raw)
        except ValueError:
            return False, None
        return (True, value) if math.isfinite(value) else (False, None)
    return True, raw


class ChangeList:
    """The rows, columns and sidebars of one page of a model's list, from ``query``."""

    def __init__(self, admin: ModelAdmin, query: Any) -> None:
        self.admin = admin
        self.params: dict[str, str] = {}
        model = admin.model
        # NUL never matches stored text, and PostgreSQL refuses it in a query.
        self.search = (query.get("q") or "").replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]
        select = model.select()
        if self.search and admin.search_fields:
            self.params["q"] = self.search
            for word in self.search.split()[:MAX_SEARCH_WORDS]:
                clause = None
                for name in admin.search_fields:
                    f = admin.fields[name]
                    cond = peewee.fn.LOWER(f.cast("TEXT") if not isinstance(f, (peewee.CharField, peewee.TextField))
                                           else f).contains(word.lower())
                    clause = cond if clause is None else (clause | cond)
                select = select.where(clause)
        self.filters: list[Filter] = []
        for name in admin.list_filter:
            select = self._filter(admin.fields[name], query, select)
        self.sort_field, self.sort_desc = self._sort(query)
        self.base = select
        self.query = select.order_by(*self._order())

    # -- filters -------------------------------------------------------------
    def _filter(self, f: Any, query: Any, select: Any) -> Any:
        name = f.name
        title = (f.verbose_name or name.replace("_", " ")).capitalize()
        if _is_date(f):
            start = _parse_date(query.get(f"{name}__from") or "")
            end = _parse_date(query.get(f"{name}__to") or "")
            flt = Filter(name, title, "date", date_from=start.isoformat() if start else "",
                         date_to=end.isoformat() if end else "")
            if start is not None:
                self.params[f"{name}__from"] = start.isoformat()
                select = select.where(f >= (start if isinstance(f, peewee.DateField) and
                                            not isinstance(f, peewee.DateTimeField)
                                            else datetime.datetime.combine(start, datetime.time())))
            if end is not None:
                self.params[f"{name}__to"] = end.isoformat()
            if end is not None and end < datetime.date.max:  # up to date.max: no upper bound
                after = end + datetime.timedelta(days=1)
                select = select.where(f < (after if not isinstance(f, peewee.DateTimeField)
                                           else datetime.datetime.combine(after, datetime.time())))
            today = datetime.date.today()
            presets = [("Today", today, today), ("Past 7 days", today - datetime.timedelta(days=6), today),
                       ("This month", today.replace(day=1), today),
                       ("This year", today.replace(month=1, day=1), today)]
            flt.choices.append(FilterChoice("Any date", {}, start is None and end is None))
            for label, a, b in presets:
                flt.choices.append(FilterChoice(label, {f"{name}__from": a.isoformat(), f"{name}__to": b.isoformat()},
                                                start == a and end == b))
            self.filters.append(flt)
            return select
        raw = query.get(name) or ""
        ok, value = _coerce(f, raw)
        if isinstance(f, peewee.BooleanField):
            kind, options = "boolean", [("Yes", "1"), ("No", "0")]
        elif f.choices:
            kind = "choices"
            options = [(str(label), str(key)) for key, label in f.choices]
            ok = ok and raw in {v for _, v in options}
        elif isinstance(f, peewee.ForeignKeyField):
            kind = "foreign_key"
            rel = f.rel_model
            rows = rel.select().order_by(rel._meta.primary_key).limit(FK_FILTER_CHOICES)
            options = [(str(r), str(r.get_id())) for r in rows]
        else:
            kind = "value"
            options = []
        flt = Filter(name, title, kind)
        flt.choices.append(FilterChoice("All", {}, not ok))
        for label, key in options:
            flt.choices.append(FilterChoice(label, {name: key}, ok and raw == key))
        self.filters.append(flt)
        if ok:
            self.params[name] = raw
            select = select.where(f == value)
        return select

    # -- sorting -------------------------------------------------------------
    def _sort(self, query: Any) -> tuple[str | None, bool]:
        raw = query.get("o") or ""
        name = raw.lstrip("-")
        if name in self.admin.list_display and self.admin.field(name) is not None:
            self.params["o"] = raw
            return name, raw.startswith("-")
        return None, False

    def _order(self) -> list[Any]:
        admin = self.admin
        pk = admin.pk
        if self.sort_field is not None:
            f = admin.fields[self.sort_field]
            order = [f.desc() if self.sort_desc else f.asc()]
        else:
            order = [admin.fields[n.lstrip("-")].desc() if n.startswith("-") else admin.fields[n].asc()
                     for n in admin.ordering]
        if not any(getattr(o, "node", None) is pk for o in order):
            order.append(pk.desc() if self.sort_desc or (self.sort_field is None and
                                                          admin.ordering[0].startswith("-")) else pk.asc())
        return order

    # -- pages ---------------------------------------------------------------
    def page(self, raw: Any) -> "Page":
        total = self.base.count()
        per_page = self.admin.per_page
        pages = max(1, math.ceil(total / per_page))
        number = int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 12 else 1
        number = max(1, min(number, pages))
        rows = list(self.query.limit(per_page).offset((number - 1) * per_page))
        return Page(rows, number, pages, total)

    def url(self, **changes: Any) -> str:
        """The query string of this list with ``changes`` (None removes a parameter)."""
        params = dict(self.params)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        return "?" + urlencode(params) if params else "?"

    def with_filter(self, name: str, choice: FilterChoice) -> str:
        params = {k: v for k, v in self.params.items()
                  if k != name and not k.startswith(name + "__")}
        params.update(choice.params)
        return "?" + urlencode(params) if params else "?"

    def sort_url(self, name: str) -> str:
        if self.sort_field == name and not self.sort_desc:
            return self.url(o=f"-{name}", p=None)
        return self.url(o=name, p=None)


@dataclass
class Page:
    rows: list[Any]
    number: int
    pages: int
    total: int
