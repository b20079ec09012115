"""Mail sent after the answer: ``deliver(message, later=True)`` puts it on a queue that one
worker thread sends a moment later, in batches (one connection for a batch).

A request that mails (a reset link, a confirmation) thus answers without waiting for the
mail server or the disk, and the answer's timing says nothing about whether a message
was sent. A failure is logged (``wolfpy.mail``), never raised into a request. Before the
process ends, what is still queued is sent (for up to ten seconds).
"""
from __future__ import annotations

import atexit
import logging
import queue
import threading
from email.message import EmailMessage
from typing import Any, Callable

__all__ = ["BATCH_DELAY", "enqueue", "wait_idle"]

log = logging.getLogger("wolfpy.mail")

BATCH_DELAY = 0.05     # seconds the worker waits for more messages before sending
MAX_QUEUED = 10_000    # beyond this a message is refused with a logged error (bounded memory)

_queue: "queue.Queue[tuple[Any, EmailMessage, bool, Callable[..., None]]]" = queue.Queue()
_lock = threading.Lock()
_worker: threading.Thread | None = None
_busy = threading.Event()


def enqueue(app: Any, message: EmailMessage, discard: bool, send: Callable[[Any, list[EmailMessage]], None]) -> None:
    """Queue ``message`` for ``send(app, messages)``; ``discard``: only serialise it."""
    global _worker
    if _queue.qsize() >= MAX_QUEUED:
        log.error("mail queue full: a message to %s was dropped", ", ".join(getattr(message, "envelope_to", ())))
        return
    _busy.set()
    _queue.put((app, message, discard, send))
    with _lock:
        if _worker is None or not _worker.is_alive():
            if _worker is None:   # the queue is emptied before the process ends
                atexit.register(_flush_at_exit)
            _worker = threading.Thread(target=_run, name="wolfpy-mail", daemon=True)
            _worker.start()


def _run() -> None:
    while True:
        first = _queue.get()
        threading.Event().wait(BATCH_DELAY)
        batch = [first]
        while True:
            try:
                batch.append(_queue.get_nowait())
            except queue.Empty:
                break
        by_app: dict[int, tuple[Any, list[EmailMessage], Callable[..., None]]] = {}
        for app, message, discard, send in batch:
            if discard:
                message.as_bytes()
                continue
            by_app.setdefault(id(app), (app, [], send))[1].append(message)
        for app, messages, send in by_app.values():
            try:
                send(app, messages)
            except Exception as exc:   # a worker thread: log, never die
                log.error("mail to %d recipient(s) was not sent: %s", len(messages), exc)
        if _queue.empty():
            _busy.clear()


def _flush_at_exit() -> None:
    if not wait_idle(timeout=10.0):
        log.error("mail still queued when the process ended was not sent")


def wait_idle(timeout: float = 10.0) -> bool:
    """Wait until every queued message was handled (tests, shutdown); False on timeout."""
    deadline = threading.Event()
    waited = 0.0
    while _busy.is_set() and waited < timeout:
        deadline.wait(0.01)
        waited += 0.01
    return not _busy.is_set()
