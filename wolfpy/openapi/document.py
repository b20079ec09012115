"""The routes of an App → the OpenAPI 3.1.0 document.

:func:`build_openapi` reads what the app already knows about every API endpoint
(path parameters and their annotations, typed query parameters, the dataclass or
pydantic body, the success status, the return annotation) and writes one operation
per endpoint, with its parameters, request body and responses. Schemas come from
:class:`~wolfpy.openapi.schema.SchemaRegistry`.

URL templates follow OpenAPI, which has no multi-segment parameters:

- ``/files/{path...}`` (a catch-all) is written ``/files/{path}``, with a
  description saying the value spans segments;
- ``/wiki/{page...}`` (an optional catch-all, ``[[...page]].py``) is written
  twice: ``/wiki`` (no value) and ``/wiki/{page}``.
"""
from __future__ import annotations

import dataclasses
import enum
import inspect
import re
import types
import typing
from typing import Any, Callable

from ..http.response import JSON
from ..routing.patterns import CATCHALL, OPTIONAL, STATIC, Segment
from ..typetable import VALUE_TYPES
from ..validation import is_model
from .schema import NO_JSON, REF, SchemaRegistry, fits, is_pydantic, json_value

OPENAPI_VERSION = "3.1.0"
# Where the document and the page are served, and the source of those two routes.
# They live here, below the page and the routes, because the document leaves the
# routes out and the page links to the JSON.
JSON_URL = "/openapi.json"
PAGE_URL = "/openapi"
BUILTIN_SOURCE = "openapi (built-in)"

_NO_BODY_METHODS = ("GET", "HEAD", "DELETE", "OPTIONS")
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


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


# The path parameter types of the table, by annotation and by name (``{id:int}``). A
# segment is never empty: text (``str``, or no path type, as a catch-all's list) says so.
_PATH_TYPES = {t: vt for t, vt in VALUE_TYPES.items() if vt.from_segment is not None}
_CONVERTER_TYPES: dict[str, Any] = {**{vt.path_name: t for t, vt in _PATH_TYPES.items() if vt.path_name},
                                    "path": str}
_PATH_TEXT = {"type": "string", "minLength": 1}


def _path_parameter(seg: Segment, annotation: Any) -> dict[str, Any]:
    if annotation is None and seg.converter:
        annotation = _CONVERTER_TYPES.get(seg.converter)
    vt = _PATH_TYPES.get(annotation)
    schema = vt.json_schema() if vt is not None and annotation is not str else dict(_PATH_TEXT)
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
        value = json_value(default)
        if value is not NO_JSON and value is not None and fits(value, schema):
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
    if is_pydantic(model):
        raw = registry.schemas[registry.ref(model)["$ref"][len(REF):]]
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


# The value types a form field (text) can fill.
_FROM_TEXT = frozenset(t for t, vt in VALUE_TYPES.items() if vt.from_text is not None)


class _SchemaAnnotation(dict):  # type: ignore[type-arg]
    """A ready JSON Schema standing in for an annotation (pydantic fields in the query)."""


def _flat(model: Any) -> bool:
    """Whether an HTML form can fill ``model``: every field a scalar or a list of scalars."""
    if is_pydantic(model):
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
        return (type(a) is type and a in _FROM_TEXT) or (isinstance(a, type) and issubclass(a, enum.Enum))
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
        schema = {"$ref": REF + "Error"} if is_api else {"type": "string"}
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
    if is_model(annotation):
        return registry.ref(annotation)
    if _is_list(annotation):
        args = typing.get_args(annotation)
        if args and is_model(args[0]):
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


# -- annotations ---------------------------------------------------------------------------
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
