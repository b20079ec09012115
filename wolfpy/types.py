"""Protocol type aliases shared across the package."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, MutableMapping, Union

if TYPE_CHECKING:  # pragma: no cover
    from .http.request import Request
    from .http.response import Response

Environ = MutableMapping[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

Handler = Callable[..., Any]
CallNext = Callable[["Request"], Union["Response", Awaitable["Response"]]]
Middleware = Callable[["Request", CallNext], Any]
