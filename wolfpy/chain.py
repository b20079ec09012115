"""Middleware chains around an endpoint, with errors answered inside them.

A chain is a list of layers, outermost first, around an endpoint; ``wolfpy.dispatch``
builds one per route and method, once. Three kinds of layer are told apart:

- ``Hooks`` objects (``before``/``after`` functions, like every built-in) run inline
  in sync and async chains alike. Consecutive ``Hooks`` run in one function (a *run*):
  the ``before`` steps in order, the inner chain, the ``after`` steps in reverse. A
  ``before`` that returns a response skips the rest of the chain; that response gets
  the ``after`` steps of its own layer and of the layers outside it.
- plain functions ``mw(request, call_next)`` are sync;
- ``async def mw(request, call_next)`` (or an object with an ``async __call__``) is async.

**Error boundaries.** The first ``bounded`` layers of a chain are boundaries: an
exception that leaves one becomes a response right there (an ``HTTPError`` its error
response, anything else the 500), so the layers outside it see that response, never
the exception. In a run of ``Hooks`` that is a boundary, an exception raised by any
of its ``before`` steps, or further in, becomes the response that every ``after`` step
of the run then sees: an ``allowed_hosts`` 400 still gets the headers that
``security_headers``, listed after it, adds. The ``try`` blocks cost nothing while
nothing is raised, and no boundary adds a call.

**Threads and loops (ASGI).** :func:`build_async` peels off the longest run of
sync-capable layers at the inner end, together with a sync endpoint, and makes it one
sync chain that runs through ``run_sync`` (the thread pool: one hop per request), or
inline when ``run_sync`` is None (under WSGI, and for WolfPy's own cheap answers).
Async layers and ``Hooks`` outside it run on the event loop; a sync middleware outside
an async one runs in a worker thread whose ``call_next`` hops back to the loop.
"""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, NamedTuple

from .errors import HTTPError
from .handlers import is_async_callable
from .http.response import Response
from .middleware import Hooks, is_sync_capable

SyncCall = Callable[[Any], Response]
AsyncCall = Callable[[Any], Awaitable[Response]]
RunSync = Callable[[SyncCall, Any], Awaitable[Response]]


class Errors(NamedTuple):
    """How a boundary answers: ``http(request, exc)`` for an HTTPError, ``server(request, exc)`` else."""

    http: Callable[[Any, HTTPError], Response]
    server: Callable[[Any, BaseException], Response]


class _Item(NamedTuple):
    hooks: list[Any] | None   # a run of Hooks, or None for one middleware function
    mw: Any
    boundary: bool


def _items(layers: list[Any], bounded: int) -> list[_Item]:
    """``layers`` as items, consecutive Hooks joined into runs; a run starting at a
    boundary is one."""
    items: list[_Item] = []
    for i, mw in enumerate(layers):
        if isinstance(mw, Hooks):
            last = items[-1] if items else None
            if last is not None and last.hooks is not None:
                last.hooks.append(mw)
                continue
            items.append(_Item([mw], None, i < bounded))
        else:
            items.append(_Item(None, mw, i < bounded))
    return items


def answer(errors: Errors, request: Any, exc: Exception) -> Response:
    """What a boundary answers for ``exc``: its error response, or the 500."""
    if isinstance(exc, HTTPError):
        return errors.http(request, exc)
    return errors.server(request, exc)


def _plan(hooks: list[Any]) -> tuple[tuple[tuple[int, Any], ...], tuple[Any, ...], tuple[tuple[Any, ...], ...]]:
    """A run's steps: its ``before`` steps with their index, every ``after`` step
    innermost first, and for each index the ``after`` steps from there outwards."""
    befores = tuple((i, h.before) for i, h in enumerate(hooks) if h.before is not None)
    unwind = tuple(tuple(h.after for h in reversed(hooks[:i + 1]) if h.after is not None)
                   for i in range(len(hooks)))
    return befores, unwind[-1], unwind


# -- sync --------------------------------------------------------------------------
def build_sync(layers: list[Any], bounded: int, endpoint: SyncCall, errors: Errors) -> SyncCall:
    """The sync chain of ``layers`` around ``endpoint``; ``layers[:bounded]`` are boundaries."""
    call = endpoint
    for item in reversed(_items(layers, bounded)):
        on = errors if item.boundary else None
        call = _sync_run(item.hooks, call, on) if item.hooks is not None else _sync_layer(item.mw, call, on)
    return call


def _sync_layer(mw: Any, nxt: SyncCall, errors: Errors | None) -> SyncCall:
    if errors is None:
        def layer(request: Any) -> Response:
            return mw(request, nxt)
        return layer

    def bounded_layer(request: Any) -> Response:
        try:
            return mw(request, nxt)
        except Exception as exc:
            return answer(errors, request, exc)
    return bounded_layer


def _sync_run(hooks: list[Any], nxt: SyncCall, errors: Errors | None) -> SyncCall:
    befores, afters, unwind = _plan(hooks)
    if not befores and len(afters) == 1:
        after = afters[0]

        def after_only(request: Any) -> Response:
            try:
                response = nxt(request)
            except Exception as exc:
                if errors is None:
                    raise
                response = answer(errors, request, exc)
            return after(request, response)
        return after_only
    if len(hooks) == 1 and befores:
        before, one_after = befores[0][1], hooks[0].after

        def one(request: Any) -> Response:
            try:
                response = before(request)
                if response is None:
                    response = nxt(request)
            except Exception as exc:
                if errors is None:
                    raise
                response = answer(errors, request, exc)
            return one_after(request, response) if one_after is not None else response
        return one

    def run(request: Any) -> Response:
        early = -1
        try:
            for i, before in befores:
                response = before(request)
                if response is not None:
                    early = i
                    break
            else:
                response = nxt(request)
        except Exception as exc:
            if errors is None:
                raise
            response = answer(errors, request, exc)
        for after in afters if early < 0 else unwind[early]:
            response = after(request, response)
        return response
    return run


# -- async -------------------------------------------------------------------------
def build_async(layers: list[Any], bounded: int, endpoint: Any, endpoint_is_async: bool,
                run_sync: RunSync | None, errors: Errors) -> AsyncCall:
    """The async chain of ``layers`` around ``endpoint``; ``layers[:bounded]`` are boundaries."""
    call: AsyncCall
    split = len(layers)
    if endpoint_is_async:
        call = endpoint
    else:
        while split and is_sync_capable(layers[split - 1]):
            split -= 1
        sync_chain = build_sync(layers[split:], bounded - split, endpoint, errors)
        if run_sync is None:
            async def inline(request: Any) -> Response:
                return sync_chain(request)
            call = inline
        else:
            async def in_thread(request: Any) -> Response:
                return await run_sync(sync_chain, request)
            call = in_thread
    for item in reversed(_items(layers[:split], bounded)):
        on = errors if item.boundary else None
        call = _async_run(item.hooks, call, on) if item.hooks is not None else _async_layer(item.mw, call, on)
    return call


async def _as_coroutine(awaitable: Awaitable[Response]) -> Response:
    return await awaitable


def _async_layer(mw: Any, nxt: AsyncCall, errors: Errors | None) -> AsyncCall:
    if is_async_callable(mw):
        async def layer(request: Any) -> Response:
            try:
                return await mw(request, nxt)
            except Exception as exc:
                if errors is None:
                    raise
                return answer(errors, request, exc)
        return layer

    async def bridged(request: Any) -> Response:
        loop = asyncio.get_running_loop()

        def call_next(req: Any) -> Response:
            return asyncio.run_coroutine_threadsafe(_as_coroutine(nxt(req)), loop).result()
        try:
            return await asyncio.to_thread(mw, request, call_next)
        except Exception as exc:
            if errors is None:
                raise
            return answer(errors, request, exc)
    return bridged


def _async_run(hooks: list[Any], nxt: AsyncCall, errors: Errors | None) -> AsyncCall:
    befores, afters, unwind = _plan(hooks)
    if not befores and len(afters) == 1:
        after = afters[0]

        async def after_only(request: Any) -> Response:
            try:
                response = await nxt(request)
            except Exception as exc:
                if errors is None:
                    raise
                response = answer(errors, request, exc)
            return after(request, response)
        return after_only
    if len(hooks) == 1 and befores:
        before, one_after = befores[0][1], hooks[0].after

        async def one(request: Any) -> Response:
            try:
                response = before(request)
                if response is None:
                    response = await nxt(request)
            except Exception as exc:
                if errors is None:
                    raise
                response = answer(errors, request, exc)
            return one_after(request, response) if one_after is not None else response
        return one

    async def run(request: Any) -> Response:
        early = -1
        try:
            for i, before in befores:
                response = before(request)
                if response is not None:
                    early = i
                    break
            else:
                response = await nxt(request)
        except Exception as exc:
            if errors is None:
                raise
            response = answer(errors, request, exc)
        for after in afters if early < 0 else unwind[early]:
            response = after(request, response)
        return response
    return run
