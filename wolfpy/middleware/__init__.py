"""What a middleware is.

A middleware is ``middleware(request, call_next) -> Response`` (or an
``async def`` awaiting ``call_next``). Built-ins are :class:`Hooks` objects
(``before``/``after``) that run inline in sync and async chains alike, so the
default stack never forces a thread hop. The chains themselves are built once
per route by :mod:`wolfpy.chain`.
"""
from __future__ import annotations

from typing import Any, Callable

from ..handlers import is_async_callable
from ..http.response import Response

SyncCall = Callable[[Any], Response]


class Hooks:
    """A middleware made of two plain functions, usable in any chain.

    ``before(request)`` may return a Response to short-circuit;
    ``after(request, response)`` returns the (possibly new) response.
    """

    name = "hooks"
    before: Callable[[Any], Response | None] | None = None
    after: Callable[[Any, Response], Response] | None = None

    def __call__(self, request: Any, call_next: SyncCall) -> Response:  # usable by hand
        before, after = self.before, self.after
        if before is not None:
            early = before(request)
            if early is not None:
                return after(request, early) if after is not None else early
        response = call_next(request)
        return after(request, response) if after is not None else response


def is_sync_capable(mw: Any) -> bool:
    return isinstance(mw, Hooks) or not is_async_callable(mw)
