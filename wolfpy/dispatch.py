"""An app's dispatch tables: for every route and method, its chain, ready to call.

When the app freezes, a :class:`Dispatcher` fixes each route's layers: the app-wide
layers (the built-ins of ``[middleware] builtin``, ``app.add_middleware``, the
``database`` middleware), then the middleware of the extensions whose prefix covers
the route, then its ``_middleware.py`` files. Its tables are built per protocol on
first use (:meth:`Dispatcher.prepare`): a WSGI server never pays for the ASGI chains,
nor the reverse.

Every response passes out through the app-wide layers, errors included: the 404 and
the trailing-slash 308 are answered at the centre of a chain of them, and each
app-wide layer and each route (its own middleware and handler) is an error boundary
(:mod:`wolfpy.chain`): an exception leaving it becomes the error response there, and
goes on out through the layers outside.
"""
from __future__ import annotations

import copy
import logging
from typing import Any, Callable

from .chain import Errors, build_async, build_sync
from .concurrency import ThreadRunner, run_blocking
from .error_responses import NOT_FOUND, ErrorResponses, wants_json
from .errors import HTTPError
from .handlers import Endpoint, bind_params, is_async_callable, make_async_call, make_sync_call
from .http.response import HTML, Response
from .middleware import Hooks, is_sync_capable
from .routing.route import Route
from .routing.router import Router

log = logging.getLogger("wolfpy")


class Dispatcher:
    """The frozen request path of one app: its layers, and every route's tables.

    Args:
        app_layers: the app-wide layers, outermost first.
        scoped: the extensions' middleware for a URL prefix (``ExtensionMiddleware``).
    """

    def __init__(self, app_layers: list[Any], scoped: list[Any], routes: list[Route], router: Router,
                 errors: ErrorResponses, threads: ThreadRunner, debug: bool) -> None:
        self.app_layers = app_layers
        self.routes = routes
        self.router = router
        self.errors = errors
        self.threads = threads
        self.debug = debug
        self._on_error = Errors(errors.error_response, errors.server_error)
        self._shared: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        # What a request refused before dispatch goes out through (innermost first).
        self._refusal = tuple(mw.after for mw in reversed(app_layers)
                              if isinstance(mw, Hooks) and mw.after is not None)
        for route in routes:
            route.layers = app_layers + route.middleware
            if scoped:
                template = route.template
                own = [m.middleware for m in scoped if m.applies_to(template)]
                if own:
                    route.layers = app_layers + own + route.middleware
            if route.websocket is not None:
                route.ws_converters = bind_params(route.websocket, route.segments, route.source).converters

    def prepare(self, kind: str) -> Any:
        """Build every route's table for ``kind`` ("sync" for WSGI, "async" for ASGI);
        returns the chain for a path no route matches (the 308 to the path without its
        trailing slash, or the 404)."""
        for route in self.routes:
            self._build_route(route, kind)
        return self._chain(kind, self.app_layers, self.no_route, False, True)

    # -- refusals ------------------------------------------------------------------
    def early_error(self, request: Any, exc: HTTPError) -> Response:
        """The error response for a request refused before dispatch (see :meth:`refuse`)."""
        return self.refuse(request, self.errors.error_response(request, exc))

    def refuse(self, request: Any, response: Response) -> Response:
        """``response`` for a request that was never dispatched (a body or header fields
        over a limit, a URL that is not valid UTF-8), or that broke an ``after`` step:
        it goes out through the ``after`` step of every app-wide ``Hooks`` layer, innermost
        first, as through the chain. No ``before`` step runs: the request never went in."""
        for after in self._refusal:
            try:
                response = after(request, response)
            except Exception:
                log.exception("middleware failed on an error response (%r)", after)
        return response

    # -- chains --------------------------------------------------------------------
    def _chain(self, kind: str, layers: list[Any], endpoint: Callable[[Any], Any], is_async: bool,
               nonblocking: bool = False) -> Any:
        """The chain of ``layers`` (the app-wide ones first) around ``endpoint`` for ``kind``.

        The app-wide layers and the first layer after them are error boundaries.
        ``nonblocking`` marks WolfPy's own cheap terminals (404, 405, OPTIONS) and handlers
        marked ``@nonblocking``: when every layer is built-in or async they run on the
        event loop, not in a thread.
        """
        bounded = len(self.app_layers) + 1
        if kind == "async":
            inline_ok = nonblocking and all(isinstance(mw, Hooks) or is_async_callable(mw) for mw in layers)
            return build_async(layers, bounded, endpoint, is_async, None if inline_ok else self.threads.run,
                               self._on_error)
        if not is_async and all(is_sync_capable(mw) for mw in layers):
            return build_sync(layers, bounded, endpoint, self._on_error)
        inline = build_async(layers, bounded, endpoint, is_async, None, self._on_error)

        def sync_call(request: Any, _c: Any = inline) -> Response:
            return run_blocking(_c(request))
        return sync_call

    def _shared_chains(self, kind: str, layers: list[Any]) -> tuple[Any, Any]:
        """The automatic OPTIONS and 405 chains, shared by every route with the same middleware."""
        key = (kind, *(id(mw) for mw in layers))
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = (self._chain(kind, layers, options, False, True),
                                         self._chain(kind, layers, self.not_allowed, False, True))
        return found

    def _build_route(self, route: Route, kind: str) -> None:
        layers = route.layers
        table = route.sync_table if kind == "sync" else route.async_table
        errors = self.errors
        # A route without middleware of its own: its handler's call is its error boundary.
        server_error = errors.server_error if len(layers) == len(self.app_layers) else None
        for method, ep in route.endpoints.items():
            quick = ep.nonblocking
            if method == "GET" and not ep.api and self.debug:
                ep = warn_on_none(ep)  # debug only: the production path is untouched
            make = make_async_call if ep.is_async else make_sync_call
            call = make(ep, errors.error_response, errors.not_found, server_error)
            table[method] = self._chain(kind, layers, call, ep.is_async, quick)
        if route.websocket is not None and "GET" not in route.endpoints:
            table["GET"] = self._chain(kind, layers, self.upgrade_required, False, True)
        if "HEAD" not in route.endpoints and "GET" in table:
            table["HEAD"] = table["GET"]
        options_chain, not_allowed = self._shared_chains(kind, layers)
        if "OPTIONS" not in route.endpoints:
            table["OPTIONS"] = options_chain
        if kind == "sync":
            route.sync_405 = not_allowed
        else:
            route.async_405 = not_allowed

    # -- WolfPy's own answers --------------------------------------------------------
    def no_route(self, request: Any) -> Response:
        """No route matches: a 308 to the path without its trailing slash when that path
        is a route, else the 404."""
        path = request.raw_path
        if path[-1] == "/" and len(path) > 1:
            target = "/" + path.strip("/")  # collapse leading slashes: never "//host"
            try:
                found = self.router.match(target)
            except HTTPError as exc:
                return self.errors.error_response(request, exc)
            if found is not None:
                qs = request.query_string
                return Response(b"", 308, [("location", target + ("?" + qs if qs else ""))], HTML)
        page = self.errors.plain_404
        if page is not None and not wants_json(request):
            return Response(page, 404, None, HTML)
        return self.errors.error_response(request, NOT_FOUND)

    def not_allowed(self, request: Any) -> Response:
        return self.errors.error_response(request, HTTPError(405, headers={"allow": request.route.allow}))

    def upgrade_required(self, request: Any) -> Response:
        return self.errors.error_response(request, HTTPError(
            426, "this URL is a WebSocket endpoint: connect with a WebSocket client "
                 "(WebSockets need an ASGI server such as uvicorn)",
            headers={"upgrade": "websocket"}))


def options(request: Any) -> Response:
    return Response(b"", 204, [("allow", request.route.allow)], HTML)


def warn_on_none(ep: Endpoint) -> Endpoint:
    """A copy of ``ep`` whose handler logs a warning (once) when it returns None.

    A GET handler of an HTML page that returns nothing is an empty 204: the browser
    shows the previous page or nothing at all, usually because of a missing ``return``.
    """
    func = ep.func
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", repr(func))
    where = ep.source if ep.source.startswith("app.route(") else f"{ep.source}: {name}()"
    warned: list[bool] = []

    def note() -> None:
        if not warned:
            warned.append(True)
            log.warning("%s returned None for GET, so the page is an empty 204 response: return "
                        "the page (a str or render(...)), or Response(status=204) if that is meant", where)

    if ep.is_async:
        async def handler(request: Any, *args: Any, **kwargs: Any) -> Any:
            rv = await func(request, *args, **kwargs)
            if rv is None:
                note()
            return rv
    else:
        def handler(request: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            rv = func(request, *args, **kwargs)
            if rv is None:
                note()
            return rv
    wrapped = copy.copy(ep)
    wrapped.func = handler
    return wrapped
