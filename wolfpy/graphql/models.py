"""Strawberry types from peewee models, pages, and the reads and writes a generated
schema's resolvers call (with field validation and login checks)."""
from __future__ import annotations

import datetime
import decimal
from typing import Annotated, Any, Generic, List, Optional, TypeVar

import peewee
import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types import Info

from ..storage.fields import FileField
from . import registry

REGISTRY = registry.__name__

T = TypeVar("T")

MAX_PAGE = 100
#: Fields whose names contain one of these are never exposed nor writable.
SECRET_PARTS = ("password", "secret", "token", "hash")

_SCALARS: list[tuple[type, Any]] = [
    (peewee.BooleanField, bool), (peewee.AutoField, int), (peewee.IntegerField, int),
    (peewee.FloatField, float), (peewee.DecimalField, decimal.Decimal),
    (peewee.DateTimeField, datetime.datetime), (peewee.DateField, datetime.date),
    (peewee.TimeField, datetime.time), (peewee.UUIDField, str), (peewee.CharField, str),
    (peewee.TextField, str),
]


@strawberry.type
class Page(Generic[T]):
    """One page of rows: ``items``, the ``total`` count, and the cursor of the next page."""

    items: list[T]
    total: int
    next_after: Optional[int]


def _public(field: Any) -> bool:
    return not any(part in field.name.lower() for part in SECRET_PARTS)


def _scalar(field: Any) -> Any:
    if type(field).__name__ == "JSONField":
        return JSON
    for kind, py in _SCALARS:
        if isinstance(field, kind):
            return py
    return str


def _file_url(name: str) -> Any:
    def resolve(root: Any) -> Optional[str]:
        stored = getattr(root, name)
        return stored.url if stored else None
    return strawberry.field(resolver=resolve)


def _type_name(model: Any) -> str:
    return model.__name__ + "Type"


def _lazy(model: Any) -> Any:
    return Annotated[_type_name(model), strawberry.lazy(REGISTRY)]


def _related(name: str, target: Any) -> Any:
    def resolve(root: Any) -> Any:
        return getattr(root, name)
    resolve.__annotations__ = {"root": Any, "return": Optional[_lazy(target)]}
    return strawberry.field(resolver=resolve)


def _backref(name: str, source: Any) -> Any:
    pk = source._meta.primary_key

    def resolve(root: Any, first: int = 20) -> Any:
        if not 1 <= first <= MAX_PAGE:
            raise ValidationFailed({"first": f"from 1 to {MAX_PAGE}"})
        return list(getattr(root, name).order_by(pk).limit(first))
    returns: Any = List[_lazy(source)]  # type: ignore[misc]
    resolve.__annotations__ = {"root": Any, "first": int, "return": returns}
    return strawberry.field(resolver=resolve, description=f"The first rows of {source._meta.table_name} "
                                                          "pointing here.")


def model_types(*models: Any) -> Any:
    """``model_type`` of each of ``models``, related to one another (``post.author``,
    ``user.posts``): ``PostType, UserType = model_types(Post, User)``."""
    return tuple(model_type(m, related=models) for m in models)


def model_type(model: Any, exclude: tuple[str, ...] = (), related: tuple[Any, ...] = ()) -> Any:
    """A Strawberry output type ``<Model>Type`` with ``model``'s fields, secrets
    (``password_hash``…) left out.

    A foreign key appears as ``<name>_id`` and, when its model is ``model`` itself or
    one of ``related``, as the related object; such a model's backref (``user.posts``) as a list with ``first`` (1 to 100); a
    ``FileField`` as its URL.
    """
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for field in model._meta.sorted_fields:
        if not _public(field) or field.name in exclude:
            continue
        if isinstance(field, peewee.ForeignKeyField):
            annotations[field.object_id_name] = Optional[_scalar(field.rel_field)]
            if field.rel_model is model or field.rel_model in related:
                namespace[field.name] = _related(field.name, field.rel_model)
        elif isinstance(field, FileField):
            namespace[field.name] = _file_url(field.name)
        else:
            py = _scalar(field)
            annotations[field.name] = Optional[py] if field.null else py
    for backref, fk in _backrefs(model):
        if (fk.model is model or fk.model in related) and backref not in exclude and backref not in namespace:
            namespace[backref] = _backref(backref, fk.model)
    cls = strawberry.type(type(_type_name(model), (), namespace),
                          description=f"A row of {model._meta.table_name}.")
    setattr(registry, cls.__name__, cls)
    return cls


def _backrefs(model: Any) -> list[tuple[str, Any]]:
    return [(fk.backref, fk) for fk in model._meta.backrefs if fk.backref and not fk.backref.startswith("+")]


def _writable(model: Any) -> list[Any]:
    return [f for f in model._meta.sorted_fields
            if _public(f) and not isinstance(f, (peewee.AutoField, FileField))
            and f is not model._meta.primary_key]


def model_input(model: Any, name: str | None = None, partial: bool = False) -> Any:
    """A Strawberry input type of ``model``'s writable fields. Required ones are those
    without a default that may not be null; ``partial`` makes every field optional."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for field in _writable(model):
        key = field.object_id_name if isinstance(field, peewee.ForeignKeyField) else field.name
        py = _scalar(field.rel_field if isinstance(field, peewee.ForeignKeyField) else field)
        required = not partial and not field.null and field.default is None
        annotations[key] = py if required else Optional[py]
        if not required:
            namespace[key] = strawberry.UNSET
    suffix = "Patch" if partial else "Input"
    return strawberry.input(type(name or model.__name__ + suffix, (), namespace))


class ValidationFailed(GraphQLError):
    """Bad input: ``extensions.fields`` maps each field to what is wrong with it."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid input: " + "; ".join(f"{k}: {v}" for k, v in fields.items()),
                         extensions={"code": "BAD_USER_INPUT", "fields": fields})


def require_user(info: Info) -> Any:
    """The signed-in user, or a GraphQL error (``UNAUTHENTICATED``)."""
    user = info.context.user
    if user is None:
        raise GraphQLError("login required", extensions={"code": "UNAUTHENTICATED"})
    return user


def require_admin(info: Info) -> Any:
    user = require_user(info)
    if not getattr(user, "is_admin", False):
        raise GraphQLError("admins only", extensions={"code": "FORBIDDEN"})
    return user


def _values(model: Any, data: Any, partial: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in _writable(model):
        key = field.object_id_name if isinstance(field, peewee.ForeignKeyField) else field.name
        value = getattr(data, key, strawberry.UNSET)
        if value is strawberry.UNSET:
            continue
        if value is None and not field.null:
            errors[key] = "may not be null"
        elif isinstance(value, str) and getattr(field, "max_length", None) and len(value) > field.max_length:
            errors[key] = f"at most {field.max_length} characters"
        elif isinstance(field, peewee.CharField) and not field.null and value == "" and field.default is None:
            errors[key] = "may not be empty"
        elif field.choices and value not in [c[0] for c in field.choices]:
            errors[key] = "one of " + ", ".join(str(c[0]) for c in field.choices)
        else:
            values[field.name] = value
    if errors:
        raise ValidationFailed(errors)
    return values


def _save(row: Any, **kwargs: Any) -> Any:
    try:
        with row._meta.database.atomic():
            row.save(**kwargs)
    except peewee.IntegrityError:
        raise ValidationFailed({"_": "conflicts with an existing row (a unique or related value)"}) from None
    return row


def create_row(model: Any, data: Any) -> Any:
    """A new row of ``model`` from an input object, validated (``ValidationFailed``)."""
    return _save(model(**_values(model, data, False)), force_insert=True)


def get_row(model: Any, id: Any) -> Any:
    return model.get_or_none(model._meta.primary_key == id)


def update_row(model: Any, id: Any, data: Any) -> Any:
    """Change the given fields of row ``id`` (None when there is no such row)."""
    row = get_row(model, id)
    if row is None:
        return None
    for key, value in _values(model, data, True).items():
        setattr(row, key, value)
    return _save(row)


def delete_row(model: Any, id: Any) -> bool:
    row = get_row(model, id)
    if row is None:
        return False
    row.delete_instance()
    return True


def paginate(model: Any, first: int = 20, after: Optional[int] = None, query: Any = None) -> Page[Any]:
    """Rows of ``model`` (or ``query``) by primary key, ``first`` (1 to 100) after the cursor ``after``."""
    if not 1 <= first <= MAX_PAGE:
        raise ValidationFailed({"first": f"from 1 to {MAX_PAGE}"})
    pk = model._meta.primary_key
    base = query if query is not None else model.select()
    page = base.order_by(pk)
    if after is not None:
        page = page.where(pk > after)
    rows = list(page.limit(first + 1))
    more = len(rows) > first
    rows = rows[:first]
    return Page(items=rows, total=base.count(), next_after=getattr(rows[-1], pk.name) if more else None)
