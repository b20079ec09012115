"""What the admin knows about each model: its page options, read from an inner ``class Admin:``.

Every name a URL may carry (a sort column, a filter, a search) is checked here against
the model's own fields before it reaches a query: an unknown name is ignored, never
turned into SQL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import peewee

#: Fields shown as a password box and stored hashed (``wolfpy.auth.hash_password``).
PASSWORD_FIELDS = frozenset({"password_hash"})
DEFAULT_PER_PAGE = 50


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


_INT = re.compile(r"-?[0-9]{1,19}")


def parse_int(raw: str) -> int | None:
    """``raw`` as a 64-bit signed integer (``-?digits``), or None."""
    if not _INT.fullmatch(raw):
        return None
    value = int(raw)
    return value if -(2 ** 63) <= value < 2 ** 63 else None


@dataclass
class ModelAdmin:
    """One model's admin page: its URL parts and the options of its ``class Admin:``."""

    model: Any
    group: str
    slug: str
    list_display: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ()
    list_filter: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    readonly_fields: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_page: int = DEFAULT_PER_PAGE
    actions: dict[str, tuple[str, Callable[..., Any]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.model.__name__

    @property
    def meta(self) -> Any:
        return self.model._meta

    @property
    def pk(self) -> Any:
        return self.meta.primary_key

    @property
    def fields(self) -> dict[str, Any]:
        return self.meta.fields

    def field(self, name: str) -> Any | None:
        """The model's field called ``name``, or None (the only way a client's name is looked up)."""
        if not isinstance(name, str):
            return None
        return self.meta.fields.get(name)

    def form_fields(self) -> list[Any]:
        """The fields of the add and change forms, in declaration order (auto keys left out)."""
        out = []
        for f in self.meta.sorted_fields:
            if f.name in self.exclude:
                continue
            if f.primary_key and isinstance(f, peewee.AutoField):
                continue
            out.append(f)
        return out

    def editable(self, f: Any) -> bool:
        return f.name not in self.readonly_fields

    def export_fields(self) -> list[Any]:
        return [f for f in self.meta.sorted_fields if f.name not in self.exclude
                and f.name not in PASSWORD_FIELDS]

    def cast_pk(self, raw: Any) -> Any:
        """The primary key written in a URL or a form, converted; None when it cannot be one."""
        if not isinstance(raw, str) or not raw or len(raw) > 200 or "\x00" in raw:  # PostgreSQL refuses NUL
            return None
        pk = self.pk
        if isinstance(pk, (peewee.AutoField, peewee.IntegerField)):
            return parse_int(raw)
        try:
            return pk.python_value(raw)
        except (TypeError, ValueError):
            return None


def group_of(model: Any) -> str:
    """The index heading and first URL segment of a model: its module's last part."""
    module = getattr(model, "__module__", "") or "models"
    return module.rpartition(".")[2] or "models"


def _default_display(admin: ModelAdmin) -> tuple[str, ...]:
    shown = [admin.pk.name]
    for f in admin.meta.sorted_fields:
        if f.primary_key or f.name in admin.exclude or f.name in PASSWORD_FIELDS:
            continue
        if isinstance(f, (peewee.TextField, peewee.BlobField)):
            continue
        shown.append(f.name)
        if len(shown) >= 6:
            break
    return tuple(shown)


def _actions(options: Any, admin: ModelAdmin) -> dict[str, tuple[str, Callable[..., Any]]]:
    out: dict[str, tuple[str, Callable[..., Any]]] = {}
    for item in getattr(options, "actions", ()) or ():
        func = getattr(options, item, None) if isinstance(item, str) else item
        if not callable(func):
            admin.problems.append(f"Admin.actions: {item!r} is not a function")
            continue
        name = getattr(func, "__name__", str(item))
        label = getattr(func, "short_description", None) or name.replace("_", " ").capitalize()
        if name != "delete_selected":
            out[name] = (str(label), func)
    return out


def model_admin(model: Any) -> ModelAdmin:
    """The admin options of ``model`` (its inner ``class Admin:``, or defaults)."""
    options = getattr(model, "Admin", None)
    group = group_of(model)
    admin = ModelAdmin(model, group, model.__name__.lower())
    known = model._meta.fields

    def checked(attr: str, allow_pk: bool = True) -> tuple[str, ...]:
        out = []
        for name in _names(getattr(options, attr, None)):
            bare = name.lstrip("-") if attr == "ordering" else name
            if bare in known:
                out.append(name)
            else:
                admin.problems.append(f"{model.__name__}.Admin.{attr}: {bare!r} is not a field")
        return tuple(out)

    admin.exclude = checked("exclude")
    admin.readonly_fields = checked("readonly_fields")
    admin.list_display = checked("list_display") or _default_display(admin)
    admin.search_fields = checked("search_fields")
    admin.list_filter = checked("list_filter")
    admin.ordering = checked("ordering") or (f"-{admin.pk.name}",)
    per_page = getattr(options, "list_per_page", DEFAULT_PER_PAGE)
    admin.per_page = per_page if isinstance(per_page, int) and 1 <= per_page <= 1000 else DEFAULT_PER_PAGE
    admin.actions = _actions(options, admin)
    return admin


class Registry:
    """The models the admin shows, by URL: ``(group, slug) -> ModelAdmin``."""

    def __init__(self, models: list[Any], skip: tuple[Any, ...] = ()) -> None:
        self.by_url: dict[tuple[str, str], ModelAdmin] = {}
        for model in models:
            if model in skip or getattr(model, "admin", True) is False:
                continue
            admin = model_admin(model)
            self.by_url[(admin.group, admin.slug)] = admin

    def get(self, group: str, slug: str) -> ModelAdmin | None:
        return self.by_url.get((group, slug))

    def for_model(self, model: Any) -> ModelAdmin | None:
        return next((a for a in self.by_url.values() if a.model is model), None)

    def grouped(self) -> list[tuple[str, list[ModelAdmin]]]:
        groups: dict[str, list[ModelAdmin]] = {}
        for admin in sorted(self.by_url.values(), key=lambda a: (a.group, a.name)):
            groups.setdefault(admin.group, []).append(admin)
        return sorted(groups.items())

    def problems(self) -> list[str]:
        return [p for a in self.by_url.values() for p in a.problems]
