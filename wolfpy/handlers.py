"""Route modules → endpoints: the method table, parameter binding, return-value conversion."""
from __future__ import annotations

import inspect
import typing
from dataclasses import MISSING
from typing import Any, Callable, NamedTuple

from .errors import HTTPError, RouteLoadError
from .http.response import HTML, JSON, OCTET, Response, dumps
from .routing.converters import for_annotation, to_plain_str
from .routing.patterns import CATCHALL, OPTIONAL, PARAM, Segment

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


def is_async_callable(obj: Any) -> bool:
    while hasattr(obj, "__wrapped__") and not inspect.iscoroutinefunction(obj):
        obj = obj.__wrapped__
    if inspect.iscoroutinefunction(obj):
        return True
    call = getattr(obj, "__call__", None)
    return call is not None and not inspect.isfunction(obj) and inspect.iscoroutinefunction(call)


def nonblocking(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run this sync handler on the event loop under ASGI, not in a worker thread.

    A promise that the handler never waits (no database query, file or network call,
    no sleep): while it runs, nothing else in the process is served. It saves the
    thread hop for quick pages; the built-in middleware run on the loop with it, and a
    project middleware that is sync still sends the request to a thread. Under WSGI it
    changes nothing.
    """
    func.__wolfpy_nonblocking__ = True  # type: ignore[attr-defined]
    return func


class Endpoint:
    """One handler function for one method of one route."""

    __slots__ = ("func", "method", "is_async", "converters", "pass_params", "api", "status",
                 "source", "csrf_exempt", "binders", "info", "guards", "nonblocking")

    def __init__(self, func: Callable[..., Any], method: str, segments: tuple[Segment, ...],
                 source: str, *, api: bool = False, status: int | None = None) -> None:
        self.func = func
        self.method = method.upper()
        self.is_async = is_async_callable(func)
        self.source = source
        self.api = bool(getattr(func, "__wolfpy_api__", api))
        self.status = getattr(func, "__wolfpy_status__", None) or status or 200
        self.csrf_exempt = bool(getattr(func, "__wolfpy_csrf_exempt__", False))
        self.nonblocking = bool(getattr(func, "__wolfpy_nonblocking__", False))
        # Access checks of @login_required and friends (wolfpy.auth.core.GUARDS), run before
        # the body is bound: an anonymous client gets 401/303, not a 422 naming the fields.
        self.guards: tuple[Callable[[Any], Any], ...] = tuple(getattr(func, "__wolfpy_guards__", ()))
        binding = bind_params(func, segments, source)
        self.converters, self.binders, self.info = binding.converters, binding.binders, binding.info
        self.pass_params = bool(self.converters or self.binders)


class Binding(NamedTuple):
    """How a handler's parameters are filled from a request."""

    converters: tuple[tuple[str, Callable[[str], Any] | None], ...]  # path parameters
    binders: tuple[tuple[str, Callable[[Any], Any]], ...]            # body and query parameters
    info: dict[str, Any]   # what OpenAPI needs: path/query annotations and the body model


def bind_params(func: Callable[..., Any], segments: tuple[Segment, ...], source: str) -> Binding:
    """Which parameters the handler takes (path, query, body), and how to fill each."""
    where = f"{source}: {getattr(func, '__name__', 'handler')}()"  # for messages
    params = _parameters(func)
    if params is None:  # pragma: no cover - builtins without a signature
        return Binding((), (), {})
    if not params or params[0].kind != "positional":
        raise RouteLoadError(f"{where} must take the request as its first parameter")
    hints: dict[str, Any] = getattr(func, "__annotations__", None) or {}
    if any(isinstance(v, str) for v in hints.values()):  # postponed (string) annotations
        try:
            hints = typing.get_type_hints(func)
        except Exception as exc:
            raise RouteLoadError(f"{where}: cannot resolve annotations: {exc}") from None
    kinds = {s.value: s for s in segments if s.kind in (PARAM, CATCHALL, OPTIONAL)}
    converters = []
    binders: list[tuple[str, Callable[[Any], Any]]] = []
    info: dict[str, Any] = {"path": {}, "query": {}, "body": None}
    takes_all = False
    for p in params[1:]:
        if p.kind == "var_keyword":
            takes_all = True
            continue
        seg = kinds.get(p.name)
        if seg is None:
            annotation = hints.get(p.name)
            if annotation is not None and p.kind in ("positional", "keyword_only"):
                from .validation import body_binder, is_model, query_binder
                if is_model(annotation):
                    binders.append((p.name, body_binder(p.name, annotation)))
                    info["body"] = annotation
                else:
                    default = p.default if not p.required else MISSING
                    binders.append((p.name, query_binder(p.name, annotation, default)))
                    info["query"][p.name] = (annotation, default)
                continue
            if p.required and p.kind != "var_positional":
                raise RouteLoadError(
                    f"{where}: parameter '{p.name}' is not a path parameter of this route "
                    f"(the route has: {', '.join(kinds) or 'none'}); annotate it to read it from "
                    "the query string (int, str, ...) or the body (a dataclass)")
            continue
        annotation = hints.get(p.name)
        info["path"][p.name] = annotation
        try:
            conv = for_annotation(annotation, seg.kind != PARAM)
        except TypeError as exc:
            raise RouteLoadError(f"{where}: parameter '{p.name}': {exc}") from None
        if conv is None and seg.kind != PARAM:
            conv = to_plain_str
        if conv is None and seg.converter:
            from .routing.converters import BY_NAME
            conv = BY_NAME.get(seg.converter)
            if conv is None:
                raise RouteLoadError(f"{where}: unknown converter '{seg.converter}'")
        converters.append((p.name, conv))
    if takes_all:
        for name, seg in kinds.items():
            if name not in {n for n, _ in converters}:
                converters.append((name, None if seg.kind == PARAM else to_plain_str))
    return Binding(tuple(converters), tuple(binders), info)


class _Param(NamedTuple):
    name: str
    kind: str          # "positional", "var_positional", "keyword_only", "var_keyword"
    required: bool
    default: Any = None


def _parameters(func: Callable[..., Any]) -> list[_Param] | None:
    """The function's parameters; read off the code object for plain functions (project
    loading binds every handler, and inspect.signature is the slow part of that)."""
    code = getattr(func, "__code__", None)
    if (code is None or not inspect.isfunction(func) or hasattr(func, "__wrapped__")
            or code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
            or code.co_kwonlyargcount or code.co_posonlyargcount):
        try:
            sig = inspect.signature(func)
        except (TypeError, ValueError):
            return None
        kinds = {inspect.Parameter.POSITIONAL_ONLY: "positional",
                 inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional",
                 inspect.Parameter.VAR_POSITIONAL: "var_positional",
                 inspect.Parameter.KEYWORD_ONLY: "keyword_only",
                 inspect.Parameter.VAR_KEYWORD: "var_keyword"}
        return [_Param(p.name, kinds[p.kind], p.default is p.empty, p.default)
                for p in sig.parameters.values()]
    names = code.co_varnames[:code.co_argcount]
    first_default = len(names) - len(func.__defaults__ or ())
    defaults = func.__defaults__ or ()
    return [_Param(name, "positional", i < first_default,
                   defaults[i - first_default] if i >= first_default else None)
            for i, name in enumerate(names)]


def to_response(rv: Any, api: bool = False, status: int = 200) -> Response:
    """A handler's return value → Response (docs/routing.md, "Return values")."""
    t = type(rv)
    if t is str and not api:
        return Response(rv.encode(), status, None, HTML)
    if t is Response or isinstance(rv, Response):
        return rv
    if t is dict or t is list:
        return Response(dumps(rv), status, None, JSON)
    if rv is None:
        return Response(b"", 204, None, HTML)
    if t is bytes:
        return Response(rv, status, None, OCTET)
    if t is tuple:
        if len(rv) == 2:
            body, code = rv
            headers = None
        elif len(rv) == 3:
            body, code, headers = rv
        else:
            raise TypeError("a handler may return (body, status) or (body, status, headers)")
        resp = to_response(body, api, code)
        resp.status = code
        if headers:
            for k, v in (headers.items() if hasattr(headers, "items") else headers):
                resp.headers.add(k, v)
        return resp
    if api:
        return Response(dumps(rv), status, None, JSON)
    if isinstance(rv, str):
        return Response(rv.encode(), status, None, HTML)
    if hasattr(rv, "to_dict") or hasattr(rv, "__dataclass_fields__"):
        return Response(dumps(rv), status, None, JSON)
    raise TypeError(f"a handler returned {t.__name__}; return str, dict, list, bytes, None, "
                    "a tuple or a Response")


ErrorResponse = Callable[[Any, HTTPError], Response]
ServerError = Callable[[Any, BaseException], Response]


def make_sync_call(endpoint: Endpoint, error_response: ErrorResponse, not_found: Callable[[Any], Response],
                   server_error: ServerError | None = None) -> Callable[[Any], Response]:
    """The innermost layer of a sync chain: bind params, call, convert, catch HTTPError.

    With ``server_error`` given, the call is its route's error boundary (the route has
    no middleware of its own): any other exception becomes the 500 here too.
    """
    func, api, status = endpoint.func, endpoint.api, endpoint.status
    converters, binders = endpoint.converters, endpoint.binders
    guards = endpoint.guards if binders else ()
    if not endpoint.pass_params:
        if not api and status == 200:
            def call(request: Any) -> Response:
                try:
                    rv = func(request)
                    if type(rv) is str:
                        return Response(rv.encode(), 200, None, HTML)
                    return to_response(rv)
                except HTTPError as exc:
                    return error_response(request, exc)
                except Exception as exc:
                    if server_error is None:
                        raise
                    return server_error(request, exc)
        else:
            def call(request: Any) -> Response:
                try:
                    return to_response(func(request), api, status)
                except HTTPError as exc:
                    return error_response(request, exc)
                except Exception as exc:
                    if server_error is None:
                        raise
                    return server_error(request, exc)
        return call

    def call_with_params(request: Any) -> Response:
        kwargs = convert_params(request, converters)
        if kwargs is None:
            return not_found(request)
        try:
            if guards:
                denied = _run_guards(request, guards)
                if denied is not None:
                    return to_response(denied, api, status)
            if binders:
                kwargs = dict(kwargs)  # request.params keeps the path parameters only
                for name, bind in binders:
                    kwargs[name] = bind(request)
            rv = func(request, **kwargs)
            if type(rv) is str and not api:
                return Response(rv.encode(), status, None, HTML)
            return to_response(rv, api, status)
        except HTTPError as exc:
            return error_response(request, exc)
        except Exception as exc:
            if server_error is None:
                raise
            return server_error(request, exc)
    return call_with_params


def make_async_call(endpoint: Endpoint, error_response: ErrorResponse, not_found: Callable[[Any], Response],
                    server_error: ServerError | None = None) -> Callable[[Any], Any]:
    """Like :func:`make_sync_call` for an ``async def`` handler."""
    func, api, status = endpoint.func, endpoint.api, endpoint.status
    converters, binders = endpoint.converters, endpoint.binders
    guards = endpoint.guards if binders else ()
    if not endpoint.pass_params:
        async def acall(request: Any) -> Response:
            try:
                rv = await func(request)
                if type(rv) is str and not api:
                    return Response(rv.encode(), status, None, HTML)
                return to_response(rv, api, status)
            except HTTPError as exc:
                return error_response(request, exc)
            except Exception as exc:
                if server_error is None:
                    raise
                return server_error(request, exc)
        return acall

    async def acall_with_params(request: Any) -> Response:
        kwargs = convert_params(request, converters)
        if kwargs is None:
            return not_found(request)
        try:
            if guards:
                denied = _run_guards(request, guards)
                if denied is not None:
                    return to_response(denied, api, status)
            if binders:
                kwargs = dict(kwargs)  # request.params keeps the path parameters only
                for name, bind in binders:
                    kwargs[name] = bind(request)
            rv = await func(request, **kwargs)
            if type(rv) is str and not api:
                return Response(rv.encode(), status, None, HTML)
            return to_response(rv, api, status)
        except HTTPError as exc:
            return error_response(request, exc)
        except Exception as exc:
            if server_error is None:
                raise
            return server_error(request, exc)
    return acall_with_params


GUARDS_DONE = "wolfpy.guards_done"   # request.state: the access checks already run


def _run_guards(request: Any, guards: tuple[Callable[[Any], Any], ...]) -> Any:
    """Run a handler's access checks in order; the first refusal (a Response) is returned.

    The decorators' wrappers see them in ``request.state`` and do not run them again.
    """
    done = request.state.setdefault(GUARDS_DONE, [])
    for check in guards:
        done.append(check)
        denied = check(request)
        if denied is not None:
            return denied
    return None


def convert_params(request: Any, converters: tuple[tuple[str, Any], ...]) -> dict[str, Any] | None:
    """Convert ``request.params`` for a handler; None when a value does not convert (a 404).

    On success ``request.params`` holds the converted values too.
    """
    raw = request.params
    kwargs = {}
    for name, conv in converters:
        value = raw.get(name, "")
        if conv is not None:
            try:
                value = conv(value)
            except (ValueError, TypeError, OverflowError):
                return None
        kwargs[name] = value
    request.params = kwargs if len(kwargs) == len(raw) else {**raw, **kwargs}
    return kwargs


def module_endpoints(module: Any, segments: tuple[Segment, ...], source: str) -> dict[str, Endpoint]:
    """Every HTTP method function a route module defines, as Endpoints keyed by method."""
    api = bool(getattr(module, "api", False))
    csrf = bool(getattr(module, "csrf", True))
    out = {}
    for name in HTTP_METHODS:
        func = getattr(module, name, None)
        if func is None:
            continue
        if not callable(func):
            raise RouteLoadError(f"{source}: '{name}' must be a function")
        endpoint = Endpoint(func, name, segments, source, api=api)
        if not csrf:
            endpoint.csrf_exempt = True
        out[name.upper()] = endpoint
    return out
