"""Bridges between sync and async code: thread pool for sync work under ASGI,
a per-thread event loop for async work under WSGI."""
from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, TypeVar

T = TypeVar("T")

_local = threading.local()


def run_blocking(coro: Awaitable[T]) -> T:
    """Run ``coro`` to completion from sync code (a WSGI worker thread).

    Each thread keeps one event loop, so async handlers under WSGI do not pay
    for creating a loop per request.
    """
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coro)


class ThreadRunner:
    """Runs sync callables in a thread pool with the caller's contextvars."""

    def __init__(self, max_workers: int = 40) -> None:
        self._max = max_workers
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        pool = self._pool
        if pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self._max, thread_name_prefix="wolfpy-sync")
                pool = self._pool
        return pool

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        ctx = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), functools.partial(ctx.run, func, *args))

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
