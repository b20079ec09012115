"""OpenAPI 3.1 for a WolfPy app: the document, ``/openapi.json`` and the ``/openapi`` page.

:func:`build_openapi` reads what the app already knows about every API endpoint
(path parameters and their annotations, typed query parameters, the dataclass or
pydantic body, the success status) and writes an OpenAPI 3.1.0 document. JSON
Schemas for dataclasses come from a small generator here; pydantic models use
``model_json_schema()``. Both land in ``components/schemas``.

URL templates follow OpenAPI, which has no multi-segment parameters:

- ``/files/{path...}`` (a catch-all) is written ``/files/{path}``, with a
  description saying the value spans segments;
- ``/wiki/{page...}`` (an optional catch-all, ``[[...page]].py``) is written
  twice: ``/wiki`` (no value) and ``/wiki/{page}``.

Settings (``[api]`` in wolfpy.toml): ``openapi`` (serve the two URLs, default
true), ``title`` (default ``[app] name``), ``version`` (default "0.1.0"),
``description``, ``include_html`` (also document the HTML routes, default false).
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import enum
import html
import inspect
import json as _json
import re
import types
import typing
import uuid
from typing import Any, Callable

from .http.response import HTML, JSON, Response, dumps
from .routing.patterns import CATCHALL, OPTIONAL, STATIC, Segment

OPENAPI_VERSION = "3.1.0"
JSON_URL = "/openapi.json"
PAGE_URL = "/openapi"
BUILTIN_SOURCE = "openapi (built-in)"

_BODY_METHODS = ("POST", "PUT", "PATCH")
_NO_BODY_METHODS = ("GET", "HEAD", "DELETE", "OPTIONS")
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_REF = "#/components/schemas/"
_DECIMAL_PATTERN = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error of an API endpoint: the HTTP status, a message, and for "
                   "validation errors (422) one message per field at fault.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {
                "status": {"type": "integer", "description": "the HTTP status code"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "422 only: field name (dotted for nested fields, "
                                   "[i] for list items) → what is wrong with it",
                    "additionalProperties": {"type": "string"},
                },
            },
        },
    },
    "examples": [{"error": {"status": 422, "message": "validation failed",
                            "fields": {"title": "field required"}}}],
}


# -- JSON Schema ---------------------------------------------------------------------------
class SchemaRegistry:
    """``components/schemas``: one entry per dataclass / pydantic model / pydantic $def.

    Names are the class names; a second, different class with a taken name gets a
    numeric suffix (``Item``, ``Item2``).
    """

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
        self._names: dict[Any, str] = {}   # class → component name

    def _free_name(self, wanted: str) -> str:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", wanted) or "Schema"
        if name not in self.schemas:
            return name
        n = 2
        while f"{name}{n}" in self.schemas:
            n += 1
        return f"{name}{n}"

    def ref(self, cls: Any) -> dict[str, Any]:
        """A ``$ref`` to ``cls`` (a dataclass or pydantic model), adding it on first use."""
        name = self._names.get(cls)
        if name is None:
            if _is_pydantic(cls):
                name = self._add_pydantic(cls)
            else:
                name = self._names[cls] = self._free_name(cls.__name__)
                self.schemas[name] = {}  # placeholder: recursive dataclasses refer to themselves
                self.schemas[name] = self._dataclass(cls)
        return {"$ref": _REF + name}

    def _dataclass(self, cls: Any) -> dict[str, Any]:
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # unresolvable forward references: document the fields untyped
            hints = {}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in dataclasses.fields(cls):
            if not field.init:
                continue
            schema = dict(self.schema(hints.get(field.name, Any)))
            description = field.metadata.get("description") if field.metadata else None
            if description:
                schema["description"] = str(description)
            if field.default is not dataclasses.MISSING:
                default = _json_value(field.default)
                if default is not _NO_JSON and _fits(default, schema):
                    schema["default"] = default
            elif field.default_factory is not dataclasses.MISSING:
                if field.default_factory in (list, tuple, set, frozenset):
                    schema["default"] = []
                elif field.default_factory is dict:
                    schema["default"] = {}
            else:
                required.append(field.name)
            properties[field.name] = schema
        out: dict[str, Any] = {"type": "object", "title": cls.__name__, "properties": properties}
        if required:
            out["required"] = required
        doc = inspect.getdoc(cls)
        if doc and not doc.startswith(cls.__name__ + "("):  # not the dataclass-generated signature
            out["description"] = doc
        return out

    def _add_pydantic(self, model: Any) -> str:
        raw = model.model_json_schema(ref_template=_REF + "{model}")
        defs = raw.pop("$defs", {})
        # Its $defs go into components; a name already taken by a different schema is
        # renamed, and the refs rewritten to match.
        renames: dict[str, str] = {}
        for def_name, def_schema in defs.items():
            if def_name in self.schemas and self.schemas[def_name] != def_schema:
                renames[def_name] = new = self._free_name(def_name)
                self.schemas[new] = {}  # reserved
        if renames:
            defs = _rewrite_refs(defs, renames)
            raw = _rewrite_refs(raw, renames)
        for def_name, def_schema in defs.items():
            self.schemas[renames.get(def_name, def_name)] = def_schema
        ref = raw.get("$ref")
        if set(raw) == {"$ref"} and isinstance(ref, str) and ref.startswith(_REF):
            name = ref[len(_REF):]  # a recursive model: pydantic put it in $defs itself
        else:
            name = model.__name__
            if name in self.schemas and self.schemas[name] != raw:
                name = self._free_name(name)
            self.schemas[name] = raw
        self._names[model] = name
        return name

    def schema(self, annotation: Any) -> dict[str, Any]:
        """The JSON Schema of a Python annotation, as WolfPy's validation reads it."""
        if annotation is Any or annotation is None or annotation is inspect.Parameter.empty:
            return {}
        if annotation is type(None):
            return {"type": "null"}
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            return self.schema(args[0])
        if origin is typing.Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
            options = [self.schema(a) for a in args]
            simple = [o for o in options if set(o) == {"type"} and isinstance(o["type"], str)]
            if len(simple) == len(options):
                return {"type": [o["type"] for o in options]}
            return {"anyOf": options}
        if origin is typing.Literal:
            values = [_json_value(a) for a in args]
            out: dict[str, Any] = {"enum": [v for v in values if v is not _NO_JSON]}
            kinds = {_json_type(v) for v in out["enum"]}
            if len(kinds) == 1 and None not in kinds:
                out["type"] = kinds.pop()
            return out
        if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set, frozenset):
            item = args[0] if args and args[0] is not Ellipsis else Any
            out = {"type": "array", "items": self.schema(item)}
            if (origin or annotation) in (set, frozenset):
                out["uniqueItems"] = True
            return out
        if origin is dict or annotation is dict:
            out = {"type": "object"}
            if len(args) == 2:
                out["additionalProperties"] = self.schema(args[1])
            return out
        if annotation is bool:
            return {"type": "boolean"}
        if annotation is int:
            return {"type": "integer"}
        if annotation is float:
            return {"type": "number"}
        if annotation is str:
            return {"type": "string"}
        if annotation is bytes:
            return {"type": "string"}
        if annotation is decimal.Decimal:
            return {"anyOf": [{"type": "number"}, {"type": "string", "pattern": _DECIMAL_PATTERN}]}
        if annotation is uuid.UUID:
            return {"type": "string", "format": "uuid"}
        if annotation is _dt.datetime:
            return {"type": "string", "format": "date-time"}
        if annotation is _dt.date:
            return {"type": "string", "format": "date"}
        if annotation is _dt.time:
            return {"type": "string", "format": "time"}
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            values = [_json_value(m.value) for m in annotation]
            out = {"title": annotation.__name__, "enum": [v for v in values if v is not _NO_JSON]}
            kinds = {_json_type(v) for v in out["enum"]}
            if len(kinds) == 1 and None not in kinds:
                out["type"] = kinds.pop()
            return out
        if isinstance(annotation, type) and (dataclasses.is_dataclass(annotation) or _is_pydantic(annotation)):
            return self.ref(annotation)
        return {}


def _rewrite_refs(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "$ref" and isinstance(v, str) and v.startswith(_REF) and v[len(_REF):] in renames:
                out[k] = _REF + renames[v[len(_REF):]]
            else:
                out[k] = _rewrite_refs(v, renames)
        return out
    if isinstance(value, list):
        return [_rewrite_refs(v, renames) for v in value]
    return value


_NO_JSON: Any = object()


def _json_value(value: Any) -> Any:
    """``value`` as plain JSON (for ``default``/``enum``), or ``_NO_JSON``."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else _NO_JSON
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_json_value(v) for v in value]
        return _NO_JSON if any(v is _NO_JSON for v in items) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        out = {k: _json_value(v) for k, v in value.items()}
        return _NO_JSON if any(v is _NO_JSON for v in out.values()) else out
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, (_dt.datetime, _dt.time)):
        # RFC 3339 (OpenAPI's date-time and time formats) needs the offset
        return value.isoformat() if value.utcoffset() is not None else _NO_JSON
    if isinstance(value, _dt.date):
        return value.isoformat()
    return _NO_JSON


_JSON_TYPES: dict[str, tuple[type, ...]] = {"null": (type(None),), "boolean": (bool,), "integer": (int,), "number": (int, float),
               "string": (str,), "array": (list,), "object": (dict,)}


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    """A light check that ``value`` matches ``schema`` (for ``default``: validators check
    defaults, and ``x: int = None`` is common). Unsure means no."""
    if "$ref" in schema:
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return any(_fits(value, option) for option in schema[key])
    kinds = schema.get("type")
    if kinds is not None:
        allowed: tuple[type, ...] = tuple(t for k in ([kinds] if isinstance(kinds, str) else kinds) for t in _JSON_TYPES.get(k, ()))
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            return False
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return all(_fits(v, schema["items"]) for v in value)
    if isinstance(value, str) and "pattern" in schema:
        return re.search(schema["pattern"], value) is not None
    return True


def _json_type(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _is_pydantic(cls: Any) -> bool:
    from .validation import _is_pydantic as check
    return check(cls)


def _is_model(cls: Any) -> bool:
    from .validation import is_model
    return is_model(cls)


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (list, tuple, set, frozenset) or \
        annotation in (list, tuple, set, frozenset)


def _strip_none(annotation: Any) -> Any:
    """``Optional[X]`` → ``X``: a query string has no null (an empty value is None)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
        if len(args) < len(typing.get_args(annotation)):
            return typing.Union[tuple(args)]
    return annotation


# -- which routes --------------------------------------------------------------------------
def documented(app: Any) -> list[tuple[Any, list[Any]]]:
    """``[(route, [endpoint, ...]), ...]``: what the document describes, in URL order.

    API endpoints only, unless ``[api] include_html = true``; WolfPy's own built-in
    routes (static files, the OpenAPI URLs) never.
    """
    include_html = bool(app.settings.get("api", "include_html", False))
    out = []
    for route in sorted(app.routes, key=lambda r: r.router_sort_key()):
        if route.source == BUILTIN_SOURCE or (route.name == "static" and route.source.startswith("static/ (built-in")):
            continue
        endpoints = [ep for m, ep in sorted(route.endpoints.items(), key=lambda kv: _method_rank(kv[0]))
                     if include_html or route.api or ep.api]
        if endpoints:
            out.append((route, endpoints))
    return out


def has_api(app: Any) -> bool:
    """True when the app has something for ``/openapi.json`` to describe."""
    return bool(documented(app))


def _method_rank(method: str) -> int:
    return _METHOD_ORDER.index(method) if method in _METHOD_ORDER else len(_METHOD_ORDER)


# -- the document --------------------------------------------------------------------------
def build_openapi(app: Any) -> dict[str, Any]:
    """The OpenAPI 3.1.0 document describing ``app``'s API endpoints."""
    settings = app.settings
    title = settings.get("api", "title", "") or settings.get("app", "name", "wolfpy") or "wolfpy"
    info: dict[str, Any] = {"title": str(title), "version": str(settings.get("api", "version", "") or "0.1.0")}
    description = settings.get("api", "description", "")
    if description:
        info["description"] = str(description)
    registry = SchemaRegistry()
    paths: dict[str, dict[str, Any]] = {}
    shapes: dict[str, str] = {}   # "/files/{}" → the path key that took that shape first
    op_ids: set[str] = set()
    for route, endpoints in documented(app):
        for template, segments, bare in _templates(route.segments):
            shape = re.sub(r"\{[^}]*\}", "{}", template)
            key = shapes.setdefault(shape, template)
            if key != template:
                # Same URL shape, another parameter name (an earlier, higher-priority
                # route): OpenAPI treats both as one path; the earlier route wins.
                continue
            item = paths.setdefault(template, {})
            for ep in endpoints:
                method = ep.method.lower()
                if method in item:
                    continue
                op_id = _unique(_op_id(route.name, method, bare), op_ids)
                item[method] = {"operationId": op_id, **_operation(route, ep, segments, bare, registry)}
    return {
        "openapi": OPENAPI_VERSION,
        "info": info,
        "paths": paths,
        "components": {"schemas": registry.schemas},
    }


def _templates(segments: tuple[Segment, ...]) -> list[tuple[str, tuple[Segment, ...], bool]]:
    """``[(template, segments, bare)]``: one path, or two for an optional catch-all."""
    def render(segs: tuple[Segment, ...]) -> str:
        return "/" + "/".join(s.value if s.kind == STATIC else "{" + s.value + "}" for s in segs)
    if segments and segments[-1].kind == OPTIONAL:
        bare = segments[:-1]
        return [(render(bare), bare, True), (render(segments), segments, False)]
    return [(render(segments), segments, False)]


def _op_id(name: str, method: str, bare: bool) -> str:
    """``api/todos/[id]`` + put → ``api_todos_id_put`` (``…/index`` loses the ``index``)."""
    if name.endswith("/index"):
        name = name[:-6]
    base = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "index"
    return f"{base}_{method}" + ("_bare" if bare else "")


def _unique(wanted: str, taken: set[str]) -> str:
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted}_{n}", n + 1
    taken.add(name)
    return name


_PATH_TYPES: dict[Any, dict[str, Any]] = {
    int: {"type": "integer"},
    float: {"type": "number"},
    uuid.UUID: {"type": "string", "format": "uuid"},
    str: {"type": "string", "minLength": 1},
}
_CONVERTER_TYPES = {"int": int, "float": float, "uuid": uuid.UUID, "str": str, "path": str}


def _path_parameter(seg: Segment, annotation: Any) -> dict[str, Any]:
    if annotation is None and seg.converter:
        annotation = _CONVERTER_TYPES.get(seg.converter)
    schema = dict(_PATH_TYPES.get(annotation, _PATH_TYPES[str]))
    param: dict[str, Any] = {"name": seg.value, "in": "path", "required": True, "schema": schema}
    if seg.kind in (CATCHALL, OPTIONAL):
        param["description"] = (
            "Spans one or more path segments: the rest of the URL, slashes included "
            f"(`a/b/c`). OpenAPI has no multi-segment parameters; the route is `{{{seg.value}...}}`.")
        if annotation is not None and _is_list(annotation):
            param["description"] += " The handler receives the segments as a list."
    return param


def _query_parameter(name: str, annotation: Any, default: Any, registry: SchemaRegistry) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": "query"}
    if default is dataclasses.MISSING:
        param["required"] = True
    if isinstance(annotation, _SchemaAnnotation):  # a pydantic field: its schema is ready
        schema: dict[str, Any] = dict(annotation)
        options = schema.get("anyOf")
        if isinstance(options, list) and {"type": "null"} in options:  # no null in a query string
            rest = [o for o in options if o != {"type": "null"}]
            del schema["anyOf"]
            schema = {**rest[0], **schema} if len(rest) == 1 else {**schema, "anyOf": rest}
        is_list = schema.get("type") == "array"
    else:
        annotation = _strip_none(annotation)
        schema = registry.schema(annotation)
        is_list = _is_list(annotation)
    if is_list:
        param["style"], param["explode"] = "form", True
    if default is not dataclasses.MISSING:
        value = _json_value(default)
        if value is not _NO_JSON and value is not None and _fits(value, schema):
            schema = {**schema, "default": value}
    param["schema"] = schema
    return param


def _operation(route: Any, ep: Any, segments: tuple[Segment, ...], bare: bool,
               registry: SchemaRegistry) -> dict[str, Any]:
    op: dict[str, Any] = {}
    summary, description = _doc(ep.func)
    if summary:
        op["summary"] = summary
    if description:
        op["description"] = description
    info = ep.info or {}
    parameters: list[dict[str, Any]] = []
    path_types = info.get("path", {})
    for seg in segments:
        if seg.kind != STATIC:
            parameters.append(_path_parameter(seg, path_types.get(seg.value)))
    query_specs: list[tuple[str, Any, Any]] = []
    for name, (annotation, default) in info.get("query", {}).items():
        query_specs.append((name, annotation, default))
    body = info.get("body")
    body_in_query = body is not None and ep.method in _NO_BODY_METHODS
    if body_in_query:
        query_specs.extend(_model_fields(body, registry))
    for name, annotation, default in query_specs:
        if any(p["name"] == name and p["in"] == "query" for p in parameters):
            continue
        parameters.append(_query_parameter(name, annotation, default, registry))
    if parameters:
        op["parameters"] = parameters
    json_body = body is not None and not body_in_query
    if json_body:
        ref = registry.ref(body)
        content: dict[str, Any] = {"application/json": {"schema": ref}}
        if _flat(body):
            for ctype in _FORM_TYPES:
                content[ctype] = {"schema": ref}
        op["requestBody"] = {"required": True, "content": content}
    op["responses"] = _responses(route, ep, registry, has_path=any(s.kind != STATIC for s in segments),
                                 validates=bool(query_specs) or json_body, json_body=json_body)
    return op


def _model_fields(model: Any, registry: SchemaRegistry) -> list[tuple[str, Any, Any]]:
    """A model read from the query string (GET/HEAD/DELETE): one parameter per field."""
    out: list[tuple[str, Any, Any]] = []
    if _is_pydantic(model):
        raw = registry.schemas[registry.ref(model)["$ref"][len(_REF):]]
        required = set(raw.get("required", ()))
        for name, schema in raw.get("properties", {}).items():
            schema = dict(schema)
            default = schema.pop("default", dataclasses.MISSING)
            if name not in required and default is dataclasses.MISSING:
                default = None
            out.append((name, _SchemaAnnotation(schema), default))
        return out
    try:
        hints = typing.get_type_hints(model)
    except Exception:
        hints = {}
    for field in dataclasses.fields(model):
        if not field.init:
            continue
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = None
        else:
            default = dataclasses.MISSING
        out.append((field.name, hints.get(field.name, Any), default))
    return out


class _SchemaAnnotation(dict):  # type: ignore[type-arg]
    """A ready JSON Schema standing in for an annotation (pydantic fields in the query)."""


def _flat(model: Any) -> bool:
    """Whether an HTML form can fill ``model``: every field a scalar or a list of scalars."""
    if _is_pydantic(model):
        fields = {n: f.annotation for n, f in getattr(model, "model_fields", {}).items()}
    else:
        try:
            fields = typing.get_type_hints(model)
        except Exception:
            return False
        fields = {f.name: fields.get(f.name, Any) for f in dataclasses.fields(model) if f.init}

    def scalar(a: Any) -> bool:
        a = _strip_none(a)
        if typing.get_origin(a) in (typing.Literal, typing.Annotated):
            return True
        return a in (str, int, float, bool, decimal.Decimal, uuid.UUID, _dt.date, _dt.datetime) or (
            isinstance(a, type) and issubclass(a, enum.Enum))
    for a in fields.values():
        a = _strip_none(a)
        if _is_list(a):
            args = typing.get_args(a)
            if args and not scalar(args[0]):
                return False
        elif not scalar(a):
            return False
    return True


def _responses(route: Any, ep: Any, registry: SchemaRegistry, *, has_path: bool, validates: bool,
               json_body: bool) -> dict[str, Any]:
    is_api = route.api or ep.api
    returns = _return_annotation(ep.func)
    status = int(ep.status)
    if returns is type(None):
        status = 204  # a handler returning None answers 204, whatever its status
    responses: dict[str, Any] = {}
    if status == 204:
        responses["204"] = {"description": "No Content"}
    else:
        if is_api:
            content = {JSON: {"schema": _return_schema(returns, registry)}}
        else:
            content = {"text/html": {"schema": {"type": "string"}}}
        responses[str(status)] = {"description": _reason(status), "content": content}
    error_type = JSON if is_api else "text/html"

    def error(code: int, description: str) -> dict[str, Any]:
        schema = {"$ref": _REF + "Error"} if is_api else {"type": "string"}
        return {"description": description, "content": {error_type: {"schema": schema}}}
    if json_body:
        responses["400"] = error(400, "Malformed JSON body")
    if has_path:
        responses["404"] = error(404, "Not Found (also: a path parameter that does not convert)")
    if json_body:
        responses["415"] = error(415, "Unsupported Media Type: the body is not JSON or a form")
    if validates:
        responses["422"] = error(422, "Validation failed: `error.fields` names every field at fault")
    return responses


def _return_annotation(func: Callable[..., Any]) -> Any:
    try:
        hints = typing.get_type_hints(func)
    except Exception:
        return None
    return hints.get("return")


def _return_schema(annotation: Any, registry: SchemaRegistry) -> dict[str, Any]:
    """The schema of what the handler returns, when its annotation says (a model or a list of them)."""
    if annotation is None:
        return {}
    if _is_model(annotation):
        return registry.ref(annotation)
    if _is_list(annotation):
        args = typing.get_args(annotation)
        if args and _is_model(args[0]):
            return {"type": "array", "items": registry.ref(args[0])}
    return {}


def _doc(func: Callable[..., Any]) -> tuple[str, str]:
    doc = inspect.getdoc(func) or ""
    summary, _, rest = doc.partition("\n")
    return summary.strip(), rest.strip()


def _reason(status: int) -> str:
    from http import HTTPStatus
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Success"


# -- the built-in routes -------------------------------------------------------------------
def add_routes(app: Any) -> None:
    """Add ``GET /openapi.json`` and ``GET /openapi`` to ``app`` (called by ``App.freeze``).

    Only when ``[api] openapi`` is on and the app has API endpoints; a URL or route
    name the project already uses is left to the project.
    """
    if not app.settings.get("api", "openapi", True) or not has_api(app):
        return
    from .app import Route
    from .handlers import Endpoint

    cache: dict[str, bytes] = {}

    def document() -> bytes:
        body = cache.get("json")
        if body is None:
            body = cache["json"] = dumps(build_openapi(app))
        return body

    def openapi_json(request: Any) -> Response:
        return Response(document(), 200, None, JSON)

    def openapi_page(request: Any) -> Response:
        body = cache.get("html")
        if body is None:
            body = cache["html"] = render_page(_json.loads(document())).encode()
        return Response(body, 200, None, HTML)

    taken_names = {r.name for r in app.routes}
    taken_urls = {tuple(s.value.lower() if s.kind == STATIC else "" for s in r.segments) for r in app.routes}
    for name, url, handler, api in (("openapi.json", JSON_URL, openapi_json, True),
                                    ("openapi", PAGE_URL, openapi_page, False)):
        segments = (Segment(STATIC, url.lstrip("/")),)
        if name in taken_names or (url.lstrip("/").lower(),) in taken_urls:
            continue
        endpoint = Endpoint(handler, "get", segments, BUILTIN_SOURCE, api=api)
        app._add(Route(name, segments, BUILTIN_SOURCE, {"GET": endpoint}, api=api))


# -- the HTML page -------------------------------------------------------------------------
_STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:1.2rem 2rem}header h1{margin:0;font-size:1.6rem}
header a{color:#9ecbff}header .version{font-size:.9rem;opacity:.75;margin-left:.5rem}
main{max-width:1100px;margin:0 auto;padding:1rem 2rem 3rem}nav ul{columns:2;padding-left:1.2rem}
section.path{margin:1.5rem 0}section.path>h2{font-size:1.15rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
article.op{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:.8rem 0;padding:.6rem 1rem}
article.op h3{font-size:1rem;margin:.2rem 0 .5rem}
.badge{display:inline-block;min-width:4.2em;text-align:center;border-radius:4px;color:#fff;font-weight:600;
font-size:.8rem;padding:.1rem .4rem;margin-right:.5rem;font-family:ui-monospace,monospace}
.get{background:#1f6feb}.post{background:#1a7f37}.put{background:#9a6700}.patch{background:#8250df}
.delete{background:#cf222e}.head,.options{background:#57606a}
table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:.6rem;overflow:auto;font-size:.85rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}.req{color:#cf222e;font-weight:600}
.muted{color:#57606a}h4{margin:.8rem 0 .2rem;font-size:.9rem}
"""

_REF_LINK = re.compile(r"&quot;#/components/schemas/([^&<]+?)&quot;")


def _anchor(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def _pretty(schema: Any) -> str:
    """Pretty JSON, escaped, with ``$ref``s linking to the schema section."""
    text = html.escape(_json.dumps(schema, indent=2, ensure_ascii=False))
    return _REF_LINK.sub(lambda m: f'&quot;<a href="#schema-{_anchor(html.unescape(m.group(1)))}">'
                                   f'#/components/schemas/{m.group(1)}</a>&quot;', text)


def _type_of(schema: Any) -> str:
    """A one-line summary of a schema for tables: ``integer``, ``array of string``, ``TodoIn``."""
    if not isinstance(schema, dict) or not schema:
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return "one of " + ", ".join(_json.dumps(v) for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_type_of(s) for s in schema[key])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " | ".join(kind)
    if kind == "array":
        return "array of " + _type_of(schema.get("items", {}))
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def render_page(doc: dict[str, Any]) -> str:
    """``/openapi``: the document as a self-contained HTML page (no scripts, no CDN)."""
    e = html.escape
    info = doc.get("info", {})
    title = str(info.get("title", "API"))
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)} — API reference</title><style>{_STYLE}</style></head><body>",
           f'<header><h1>{e(title)}<span class="version">v{e(str(info.get("version", "")))}</span></h1>',
           f'<div>OpenAPI {e(str(doc.get("openapi", "")))} · '
           f'<a href="{e(JSON_URL)}">{e(JSON_URL)}</a></div></header><main>']
    if info.get("description"):
        out.append(f"<p>{_text(info['description'])}</p>")
    paths: dict[str, Any] = doc.get("paths", {})
    schemas: dict[str, Any] = doc.get("components", {}).get("schemas", {})
    out.append("<nav><h2>Operations</h2><ul>")
    for path, item in paths.items():
        for method, op in item.items():
            out.append(f'<li><a href="#op-{_anchor(op.get("operationId", path + method))}">'
                       f'<span class="badge {e(method)}">{e(method.upper())}</span><code>{e(path)}</code></a>'
                       + (f' <span class="muted">{_text(op["summary"])}</span>' if op.get("summary") else "")
                       + "</li>")
    out.append("</ul></nav>")
    for path, item in paths.items():
        out.append(f'<section class="path" id="path-{_anchor(path)}"><h2><code>{e(path)}</code></h2>')
        for method, op in item.items():
            out.append(_render_operation(path, method, op, schemas))
        out.append("</section>")
    if schemas:
        out.append('<section class="schemas"><h2>Schemas</h2>')
        for name, schema in schemas.items():
            out.append(f'<article class="op" id="schema-{_anchor(name)}"><h3><code>{e(name)}</code></h3>'
                       f"<pre>{_pretty(schema)}</pre></article>")
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out)


def _text(text: Any) -> str:
    """Escaped prose, with Markdown `code` spans rendered."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(str(text)))


def _schema_cell(schema: Any) -> str:
    """A schema in a table cell: a link for a ``$ref``, else its one-line type."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#schema-{_anchor(name)}">{html.escape(name)}</a>'
    if isinstance(schema, dict) and schema.get("type") == "array" and isinstance(schema.get("items"), dict) \
            and "$ref" in schema["items"]:
        return "array of " + _schema_cell(schema["items"])
    return html.escape(_type_of(schema))


def _render_operation(path: str, method: str, op: dict[str, Any], schemas: dict[str, Any]) -> str:
    e = html.escape
    op_id = str(op.get("operationId", path + method))
    out = [f'<article class="op" id="op-{_anchor(op_id)}">',
           f'<h3><span class="badge {e(method)}">{e(method.upper())}</span><code>{e(path)}</code>'
           + (f' — {_text(op["summary"])}' if op.get("summary") else "") + "</h3>",
           f'<div class="muted">operationId <code>{e(op_id)}</code></div>']
    if op.get("description"):
        out.append(f"<p>{_text(op['description'])}</p>")
    params = op.get("parameters", [])
    if params:
        out.append("<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th>"
                   "<th>required</th><th>default</th><th>description</th></tr></thead><tbody>")
        for p in params:
            schema = p.get("schema", {})
            default = _json.dumps(schema["default"]) if "default" in schema else ""
            required = '<span class="req">required</span>' if p.get("required") else "optional"
            out.append(f"<tr><td><code>{e(p['name'])}</code></td><td>{e(p['in'])}</td>"
                       f"<td>{_schema_cell(schema)}</td><td>{required}</td><td><code>{e(default)}</code></td>"
                       f"<td>{_text(p.get('description', ''))}</td></tr>")
        out.append("</tbody></table>")
    body = op.get("requestBody")
    if body:
        content = body.get("content", {})
        out.append("<h4>Request body</h4><div>" + ", ".join(f"<code>{e(t)}</code>" for t in content) + "</div>")
        first: dict[str, Any] = next(iter(content.values()), {})
        schema = first.get("schema", {})
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and ref.startswith(_REF) and ref[len(_REF):] in schemas:
            out.append(f"<div>schema {_schema_cell(schema)}</div>")
            schema = schemas[ref[len(_REF):]]
        out.append(f"<pre>{_pretty(schema)}</pre>")
    out.append("<h4>Responses</h4><table><thead><tr><th>status</th><th>description</th><th>body</th>"
               "</tr></thead><tbody>")
    for status, resp in op.get("responses", {}).items():
        content = resp.get("content", {})
        cells = [f"<code>{e(ctype)}</code> {_schema_cell(media.get('schema', {}))}"
                 for ctype, media in content.items()]
        out.append(f"<tr><td><code>{e(str(status))}</code></td><td>{_text(resp.get('description', ''))}</td>"
                   f"<td>{'<br>'.join(cells)}</td></tr>")
    out.append("</tbody></table></article>")
    return "\n".join(out)


__all__ = ["build_openapi", "add_routes", "render_page", "SchemaRegistry"]
