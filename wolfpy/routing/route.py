"""``Route``: one URL of an app, its endpoints per method, and the dispatch tables built for it."""
from __future__ import annotations

from typing import Any, Callable

from .patterns import Segment, template_of

METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allow_header(endpoints: Any) -> str:
    """The ``Allow`` value of a route with handlers for ``endpoints`` (HEAD with GET, OPTIONS always)."""
    return ", ".join(m for m in METHOD_ORDER
                     if m in endpoints or (m == "HEAD" and "GET" in endpoints) or m == "OPTIONS")


class Route:
    """One URL: its endpoints per method, an optional WebSocket handler, its middleware.

    ``endpoints`` maps a method to its ``wolfpy.handlers.Endpoint``. ``layers`` (the
    app-wide middleware, then the route's own) is fixed when the app freezes; the
    tables are filled per protocol when the app prepares it (``wolfpy.dispatch``).
    """

    __slots__ = ("name", "segments", "source", "endpoints", "websocket", "middleware",
                 "sync_table", "async_table", "sync_405", "async_405", "allow", "api", "ws_converters",
                 "layers")

    def __init__(self, name: str, segments: tuple[Segment, ...], source: str, endpoints: dict[str, Any],
                 websocket: Callable[..., Any] | None = None, middleware: list[Any] | None = None,
                 api: bool = False) -> None:
        self.name = name
        self.segments = segments
        self.source = source
        self.endpoints = endpoints
        self.websocket = websocket
        self.middleware = middleware or []
        self.api = api
        self.allow = allow_header(endpoints)
        self.sync_table: dict[str, Callable[[Any], Any]] = {}
        self.async_table: dict[str, Callable[[Any], Any]] = {}
        self.sync_405: Any = None
        self.async_405: Any = None
        self.ws_converters: tuple[Any, ...] = ()
        self.layers: list[Any] = []

    @property
    def methods(self) -> list[str]:
        return [m.strip() for m in self.allow.split(",")]

    @property
    def template(self) -> str:
        return template_of(self.segments)

    def router_sort_key(self) -> tuple[Any, ...]:
        """Order for listings: by URL, static segments before dynamic ones."""
        return tuple((s.kind, s.value) for s in self.segments)
