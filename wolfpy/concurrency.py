"""Bridges between sync and async code: thread pool for sync work under ASGI,
a per-thread event loop for async work under WSGI."""
from __future__ import annotations

import asyncio
import collections
import contextvars
import os
import queue
import threading
import weakref
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
    """Runs sync callables in worker threads with the caller's contextvars.

    Built for the hop every sync handler makes under ASGI, which ``run_in_executor``
    makes dear (a concurrent future chained to an asyncio one, a shared work queue, a
    thread wake-up and a cold CPU cache on whichever thread takes the job):

    - the job goes straight to the idle worker that finished last (its caches are the
      warmest), through that worker's own queue; a new thread starts only when none is
      idle, up to ``max_workers``; beyond that jobs wait in a backlog;
    - the result comes back through one ``loop.call_soon_threadsafe`` that sets the
      awaited future.

    A cancelled wait (the client went away) does not stop a job that has started; one
    still waiting in the backlog is skipped. Workers are daemon threads: a server waits
    for its requests before exiting, so none is cut short then.
    """

    def __init__(self, max_workers: int = 40) -> None:
        self._max = max_workers
        self._lock = threading.Lock()
        self._reset()
        _runners.add(self)

    def _reset(self) -> None:
        self._idle: list[queue.SimpleQueue[Any]] = []   # inboxes of idle workers, last idle last
        self._backlog: collections.deque[Any] = collections.deque()
        self._workers = 0
        self._generation = 0  # bumped by shutdown: workers of an older one end

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        job = (loop, future, contextvars.copy_context(), func, args)
        with self._lock:
            if self._idle:
                self._idle.pop().put(job)
            elif self._workers < self._max:
                self._workers += 1
                inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
                inbox.put(job)
                threading.Thread(target=self._work, args=(inbox, self._generation), daemon=True,
                                 name=f"wolfpy-sync_{self._workers - 1}").start()
            else:
                self._backlog.append(job)
        return await future  # type: ignore[no-any-return]

    def _work(self, inbox: queue.SimpleQueue[Any], generation: int) -> None:
        while True:
            job = inbox.get()
            if job is None:  # shutdown
                return
            while job is not None:
                answer = _do(job)
                # Idle (or onto the backlog) before answering: the next request then
                # finds this warm thread instead of starting another.
                with self._lock:
                    stale = generation != self._generation
                    job = None if stale or not self._backlog else self._backlog.popleft()
                    if job is None and not stale:
                        self._idle.append(inbox)
                if answer is not None:
                    _call_soon(*answer)
                if stale:
                    return

    def shutdown(self) -> None:
        """End the idle workers, and the busy ones once their job is done; drop the backlog."""
        with self._lock:
            idle, backlog = self._idle, self._backlog
            generation = self._generation
            self._reset()
            self._generation = generation + 1
        for inbox in idle:
            inbox.put(None)
        for loop, future, *_ in backlog:
            _call_soon(loop, future.cancel)


def _do(job: Any) -> tuple[Any, ...] | None:
    """Run ``job``; what to call on its loop to hand over the outcome (None: nobody waits)."""
    loop, future, ctx, func, args = job
    if future.cancelled():  # given up while it waited in the backlog
        return None
    try:
        return (loop, _succeed, future, ctx.run(func, *args))
    except BaseException as exc:  # as concurrent.futures: the awaiting coroutine gets it
        return (loop, _fail, future, exc)


def _call_soon(loop: asyncio.AbstractEventLoop, func: Callable[..., Any], *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(func, *args)
    except RuntimeError:  # the loop was closed meanwhile: nobody waits any more
        pass


def _succeed(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


_runners: "weakref.WeakSet[ThreadRunner]" = weakref.WeakSet()


def _after_fork() -> None:
    # The parent's workers do not exist in a forked child: start from none.
    for runner in list(_runners):
        runner._lock = threading.Lock()
        runner._reset()


os.register_at_fork(after_in_child=_after_fork)
