"""A thread that writes log lines, so a request never waits for the disk.

The log handlers (:mod:`wolfpy.loghandlers`) hand each record to a
:class:`BackgroundWriter` and return; the writer's thread takes everything queued,
writes it and flushes once per batch. The queue is bounded (:data:`QUEUE_LIMIT`): when
the disk cannot keep up, new records are counted in ``dropped`` and left out, rather
than blocking the request or growing memory without end; the writer then logs how many
were lost.

What is queued reaches the file when the handler is flushed or closed: ``App.shutdown``
closes it, and so does ``logging.shutdown`` at interpreter exit. A process forked from
one with a running writer (a pre-forking server) starts its own, with an empty queue.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import weakref
from typing import Any, Callable

__all__ = ["BackgroundWriter", "QUEUE_LIMIT", "flush_all"]

#: Records waiting to be written, at most; more are dropped (and counted).
QUEUE_LIMIT = 10_000
BATCH = 512        # items written (and flushed) together, at most
FLUSH_TIMEOUT = 5.0
GATHER = 0.02     # seconds the writer lets records gather before a batch

_STOP = object()
_writers: "weakref.WeakSet[BackgroundWriter]" = weakref.WeakSet()


class BackgroundWriter:
    """Calls ``write_batch(items)`` on its own thread for what :meth:`put` queued, in order;
    after items were dropped, it writes a WARNING record that says how many."""

    def __init__(self, write_batch: Callable[[list[Any]], None], name: str) -> None:
        self._write_batch = write_batch
        self._name = name
        self._reset()
        _writers.add(self)

    def _reset(self) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._urgent = threading.Event()
        #: Items left out because the queue was full.
        self.dropped = 0
        self._reported = 0

    def put(self, item: Any) -> None:
        """Queue ``item`` for the writer thread (started on first use); never blocks."""
        if self._thread is None:
            self._start()
        if self._queue.qsize() >= QUEUE_LIMIT:
            with self._lock:
                self.dropped += 1
            return
        self._queue.put(item)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                thread = threading.Thread(target=self._run, args=(self._queue,), name=self._name, daemon=True)
                thread.start()
                self._thread = thread

    def _run(self, q: queue.SimpleQueue[Any]) -> None:
        while True:
            batch = [q.get()]
            # Let a batch gather (one wake-up and one write for many requests), unless
            # someone waits for the queue to be written.
            self._urgent.wait(GATHER)
            self._urgent.clear()
            while len(batch) < BATCH:
                try:
                    batch.append(q.get_nowait())
                except queue.Empty:
                    break
            items = [i for i in batch if i is not _STOP and not isinstance(i, threading.Event)]
            if items:
                self._write_batch(items)
            if self.dropped != self._reported:
                with self._lock:
                    lost, self._reported = self.dropped - self._reported, self.dropped
                self._write_batch([logging.makeLogRecord({
                    "name": "wolfpy.logs", "levelno": logging.WARNING, "levelname": "WARNING",
                    "msg": "%d log records dropped: the log file could not keep up", "args": (lost,)})])
            stop = False
            for item in batch:
                if isinstance(item, threading.Event):
                    item.set()
                elif item is _STOP:
                    stop = True
            if stop:
                return

    def _running(self) -> threading.Thread | None:
        thread = self._thread
        if thread is None or thread is threading.current_thread() or not thread.is_alive():
            return None
        return thread

    def idle(self) -> bool:
        """No thread is running (so nothing is queued)."""
        thread = self._thread
        return thread is None or not thread.is_alive()

    def flush(self, timeout: float = FLUSH_TIMEOUT) -> None:
        """Wait until everything queued so far is written."""
        if self._running() is not None:
            done = threading.Event()
            self._queue.put(done)
            self._urgent.set()
            done.wait(timeout)

    def stop(self, timeout: float = FLUSH_TIMEOUT) -> None:
        """Write what is queued and end the thread (a later :meth:`put` starts a new one)."""
        thread = self._running()
        if thread is not None:
            self._queue.put(_STOP)
            self._urgent.set()
            thread.join(timeout)
            with self._lock:
                if self._thread is thread:
                    self._thread = None


def flush_all() -> None:
    """Wait until every writer of this process has written what it was given."""
    for writer in list(_writers):
        writer.flush()


def _after_fork() -> None:
    # The parent's thread does not exist here, and what it had queued is the parent's to write.
    for writer in list(_writers):
        writer._reset()


os.register_at_fork(after_in_child=_after_fork)
