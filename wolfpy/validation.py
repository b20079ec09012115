"""Typed handler parameters: request bodies and query strings validated into Python values.

A handler parameter annotated with a dataclass (or a pydantic model, when pydantic
is installed) is filled from the JSON body (or the form, or, for GET/HEAD/DELETE,
the query string); a scalar annotation on a parameter that is not a path parameter
reads the query string. Anything that does not validate is a 422 listing every
field at fault: ``{"error": {"status": 422, "message": ..., "fields": {...}}}``.
"""
from __future__ import annotations

import dataclasses
import enum
import types
import typing
from typing import Any, Callable, Mapping

from .errors import HTTPError
from .typetable import VALUE_TYPES

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_NO_BODY_METHODS = ("GET", "HEAD", "DELETE", "OPTIONS")
_MISSING: Any = dataclasses.MISSING


class ValidationError(HTTPError):
    """422 with a message per field: ``fields = {"title": "expected a string"}``."""

    status = 422

    def __init__(self, fields: Mapping[str, str], message: str = "validation failed") -> None:
        super().__init__(422, message, fields=dict(fields))


def is_model(annotation: Any) -> bool:
    """A dataclass type or a pydantic model class: filled as a whole from the request."""
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return True
    return _is_pydantic(annotation)


def _is_pydantic(annotation: Any) -> bool:
    if not isinstance(annotation, type):
        return False
    try:
        from pydantic import BaseModel
    except ImportError:  # pragma: no cover - pydantic is optional
        return False
    return issubclass(annotation, BaseModel)


# -- converting one value --------------------------------------------------------------
class _Invalid(Exception):
    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path  # where inside a nested value, when deeper than the field itself


def convert(value: Any, annotation: Any, from_text: bool, path: str = "") -> Any:
    """``value`` as ``annotation``; ``from_text`` for query/form strings (coerced), else JSON
    values (checked strictly: ``5`` is not a string, ``true`` is not a number).

    Raises:
        _Invalid: the value does not fit, with a message for the user.
    """
    if annotation is Any or annotation is None or annotation is typing.Any:
        return value
    if type(annotation) is type:  # a plain class: hashable, and maybe one of the table's
        vt = VALUE_TYPES.get(annotation)
        if vt is not None and vt.message is not None:
            read = vt.from_text if from_text and isinstance(value, str) else vt.from_json
            try:
                return read(value)  # type: ignore[misc]  # set whenever the message is
            except ValueError:
                raise _Invalid(vt.message) from None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
        if value is None or (from_text and value == "" and type(None) in args):
            if type(None) in args:
                return None
        errors = []
        for option in args:
            if option is type(None):
                continue
            try:
                return convert(value, option, from_text, path)
            except _Invalid as exc:
                errors.append(exc.message)
        raise _Invalid(errors[0] if len(errors) == 1 else "does not match any allowed type")
    if origin is typing.Literal:
        for option in args:
            if value == option or (from_text and str(option) == value):
                return option
        raise _Invalid(f"must be one of {', '.join(repr(a) for a in args)}")
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set, frozenset):
        items = value if isinstance(value, list) else ([value] if from_text else None)
        if items is None:
            raise _Invalid("expected a list")
        inner = args[0] if args else Any
        out = []
        for i, v in enumerate(items):
            try:
                out.append(convert(v, inner, from_text, f"{path}[{i}]"))
            except _Invalid as exc:
                raise _Invalid(exc.message, exc.path or f"{path}[{i}]") from None
        container = origin or annotation
        return out if container is list else container(out)
    if origin is dict or annotation is dict:
        if not isinstance(value, dict):
            raise _Invalid("expected an object")
        if len(args) == 2:
            out_map = {}
            for k, v in value.items():
                try:
                    out_map[k] = convert(v, args[1], from_text, f"{path}.{k}")
                except _Invalid as exc:
                    raise _Invalid(exc.message, exc.path or f"{path}.{k}") from None
            return out_map
        return value
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        for member in annotation:
            if member.value == value or (from_text and str(member.value) == value):
                return member
        raise _Invalid(f"must be one of {', '.join(repr(m.value) for m in annotation)}")
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        if not isinstance(value, dict):
            raise _Invalid("expected an object")
        return build_dataclass(annotation, value, from_text, path)
    if _is_pydantic(annotation):
        return _pydantic(annotation, value)
    if isinstance(annotation, type) and isinstance(value, annotation):
        return value
    raise _Invalid(f"cannot be read as {getattr(annotation, '__name__', annotation)}")


def build_dataclass(cls: type, data: Mapping[str, Any], from_text: bool, path: str = "") -> Any:
    """An instance of dataclass ``cls`` from ``data``, or ValidationError naming every bad field."""
    hints = _hints(cls)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        key = f"{path}.{field.name}" if path else field.name
        if field.name not in data:
            if field.default is _MISSING and field.default_factory is _MISSING:  # type: ignore[misc]
                errors[key] = "field required"
            continue
        try:
            values[field.name] = convert(data[field.name], hints.get(field.name, Any), from_text, key)
        except _Invalid as exc:
            errors[exc.path or key] = exc.message
        except ValidationError as exc:
            errors.update(exc.fields or {})
    if errors:
        raise ValidationError(errors)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # a __post_init__ that validates
        raise ValidationError({path or "body": str(exc)}) from None


def _pydantic(model: Any, data: Any) -> Any:
    from pydantic import ValidationError as PydanticError
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        fields = {".".join(str(p) for p in err["loc"]) or "body": err["msg"] for err in exc.errors()}
        raise ValidationError(fields) from None


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


# -- binding handler parameters --------------------------------------------------------
Binder = Callable[[Any], Any]


def body_binder(name: str, model: Any) -> Binder:
    """Fill ``model`` from the JSON body, a form body, or (GET, HEAD, DELETE) the query string."""
    pydantic = _is_pydantic(model)

    def bind(request: Any) -> Any:
        if request.method in _NO_BODY_METHODS:
            data: Any = _flat(request.query, model)
            from_text = True
        elif request.content_type in _FORM_TYPES:
            data, from_text = _flat(request.form, model), True
        else:
            data, from_text = request.json, False
            if data is None:
                raise ValidationError({"body": "a JSON body is required"}, "the request has no body")
            if not isinstance(data, dict):
                raise ValidationError({"body": "expected a JSON object"})
        if pydantic:
            return _pydantic(model, data)
        return build_dataclass(model, data, from_text)
    return bind


def query_binder(name: str, annotation: Any, default: Any) -> Binder:
    """A scalar (or list) parameter read from the query string; 422 when it does not convert."""
    wants_list = typing.get_origin(annotation) in (list, tuple, set) or annotation in (list, tuple, set)

    def bind(request: Any) -> Any:
        query = request.query
        if name not in query:
            if default is _MISSING:
                raise ValidationError({name: "query parameter required"})
            return default
        raw = query.getlist(name) if wants_list else query.get(name)
        try:
            return convert(raw, annotation, True, name)
        except _Invalid as exc:
            raise ValidationError({name: exc.message}) from None
    return bind


def _flat(multi: Any, model: Any) -> dict[str, Any]:
    """A MultiDict as a dict: lists where the model's field is a list, single values otherwise."""
    out: dict[str, Any] = {}
    list_fields = set()
    if isinstance(model, type) and dataclasses.is_dataclass(model):
        for fname, hint in _hints(model).items():
            if typing.get_origin(hint) in (list, tuple, set) or hint in (list, tuple, set):
                list_fields.add(fname)
    else:
        for fname, info in getattr(model, "model_fields", {}).items():
            hint = info.annotation
            if typing.get_origin(hint) in (list, tuple, set) or hint in (list, tuple, set):
                list_fields.add(fname)
    for key in multi:
        out[key] = multi.getlist(key) if key in list_fields else multi.get(key)
    return out
