"""Middleware chains, built once per route at startup.

A middleware is ``middleware(request, call_next) -> Response`` (or an
``async def`` awaiting ``call_next``). Built-ins are :class:`Hooks` objects
(``before``/``after``) that run inline in sync and async chains alike, so the
default stack never forces a thread hop.
"""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from ..handlers import is_async_callable
from ..http.response import Response

SyncCall = Callable[[Any], Response]
AsyncCall = Callable[[Any], Awaitable[Response]]
RunSync = Callable[[SyncCall, Any], Awaitable[Response]]


class Hooks:
    """A middleware made of two plain functions, usable in any chain.

    ``before(request)`` may return a Response to short-circuit;
    ``after(request, response)`` returns the (possibly new) response.
    """

    name = "hooks"
    before: Callable[[Any], Response | None] | None = None
    after: Callable[[Any, Response], Response] | None = None

    def __call__(self, request: Any, call_next: SyncCall) -> Response:  # usable by hand
        return _sync_layer(self, call_next)(request)


def is_sync_capable(mw: Any) -> bool:
    return isinstance(mw, Hooks) or not is_async_callable(mw)


def build_sync(layers: list[Any], endpoint: SyncCall) -> SyncCall:
    call = endpoint
    for mw in reversed(layers):
        call = _sync_layer(mw, call)
    return call


def _sync_layer(mw: Any, nxt: SyncCall) -> SyncCall:
    if isinstance(mw, Hooks):
        before, after = mw.before, mw.after
        if before is None and after is not None:
            def after_only(request: Any) -> Response:
                return after(request, nxt(request))
            return after_only

        def hooks(request: Any) -> Response:
            if before is not None:
                early = before(request)
                if early is not None:
                    return after(request, early) if after is not None else early
            response = nxt(request)
            return after(request, response) if after is not None else response
        return hooks

    def layer(request: Any) -> Response:
        return mw(request, nxt)
    return layer


def build_async(layers: list[Any], endpoint: Any, endpoint_is_async: bool,
                run_sync: RunSync | None) -> AsyncCall:
    """An async chain. The longest all-sync tail runs as one sync chain via ``run_sync``
    (a thread under ASGI), or inline when ``run_sync`` is None (under WSGI, and for
    WolfPy's own cheap terminals); sync middleware in front of async code runs in a
    worker thread whose ``call_next`` hops back to the event loop."""
    items = list(layers)
    tail: list[Any] = []
    call: AsyncCall
    if not endpoint_is_async:
        while items and is_sync_capable(items[-1]):
            tail.insert(0, items.pop())
        sync_chain = build_sync(tail, endpoint)
        if run_sync is None:
            async def call(request: Any) -> Response:
                return sync_chain(request)
        else:
            async def call(request: Any) -> Response:
                return await run_sync(sync_chain, request)
    else:
        call = endpoint
    for mw in reversed(items):
        call = _async_layer(mw, call)
    return call


async def _as_coroutine(awaitable: Awaitable[Response]) -> Response:
    return await awaitable


def _async_layer(mw: Any, nxt: AsyncCall) -> AsyncCall:
    if isinstance(mw, Hooks):
        before, after = mw.before, mw.after

        async def hooks(request: Any) -> Response:
            if before is not None:
                early = before(request)
                if early is not None:
                    return after(request, early) if after is not None else early
            response = await nxt(request)
            return after(request, response) if after is not None else response
        return hooks
    if is_async_callable(mw):
        async def layer(request: Any) -> Response:
            return await mw(request, nxt)
        return layer

    async def bridged(request: Any) -> Response:
        loop = asyncio.get_running_loop()

        def call_next(req: Any) -> Response:
            return asyncio.run_coroutine_threadsafe(_as_coroutine(nxt(req)), loop).result()
        return await asyncio.to_thread(mw, request, call_next)
    return bridged
