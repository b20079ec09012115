"""WolfPy's log handlers: the console and the rotating log file, each written by a
thread of its own (:mod:`wolfpy.logwriter`), and shared by the Apps that write there
(see :mod:`wolfpy.logs`, which sets them up)."""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from logging.handlers import RotatingFileHandler
from typing import Any

from .context import _current
from .logformat import AccessLine, JSONFormatter
from .logwriter import BackgroundWriter


class _Shared:
    """What WolfPy adds to a handler: the Apps that write through it, each at its level.

    ``levels`` maps each App's :class:`AppLogging` to its level; ``floor`` is the lowest
    of them, the level for records that belong to no App; ``saved_level`` is the level
    the ``wolfpy`` logger had before WolfPy's first handler went on it.
    """

    key: str
    levels: dict[Any, int]   # AppLogging (wolfpy.logs) -> level
    floor: int
    saved_level: int

    def _share(self, key: str, saved_level: int) -> None:
        self.key = key
        self.levels = {}
        self.floor = logging.INFO
        self.saved_level = saved_level
        self.setFormatter(JSONFormatter())  # type: ignore[attr-defined]
        self.addFilter(self._accept)  # type: ignore[attr-defined]

    def _text(self, item: Any) -> str:
        """A queued item as the text to write: a line, an :class:`AccessLine`, or a record."""
        kind = type(item)
        if kind is str:
            return item  # type: ignore[no-any-return]
        if kind is AccessLine:
            return item.text()  # type: ignore[no-any-return]
        return self.format(item) + "\n"  # type: ignore[attr-defined,no-any-return]

    def _failed(self, item: Any) -> None:
        self.handleError(item if isinstance(item, logging.LogRecord)  # type: ignore[attr-defined]
                         else logging.makeLogRecord({"msg": item if type(item) is str else "access line"}))

    def _accept(self, record: logging.LogRecord) -> bool:
        ref = record.__dict__.get("_wolfpy_app")  # a weakref.ref to the App, from access_log
        app = ref() if ref is not None else None
        if app is None:
            request = _current.get()
            app = request.app if request is not None else None
        if app is not None:
            owner = getattr(app, "logging", None)
            if owner is not None and owner.config is not None:  # an App with handlers of its own
                level = self.levels.get(owner)
                return level is not None and record.levelno >= level
        return record.levelno >= self.floor


class _Stderr(_Shared, logging.StreamHandler):  # type: ignore[type-arg]
    """stderr as it is when the record is written (so a replaced sys.stderr is followed).

    Access lines are written by a thread (:mod:`wolfpy.logwriter`), as for the log file:
    a slow reader of stderr (a pipe to a process manager) never holds up a request.
    """

    def __init__(self) -> None:
        super().__init__()
        self._io = threading.Lock()  # one writer of stderr at a time
        self._writer = BackgroundWriter(self._write_batch, "wolfpy-console-writer")

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass

    def emit(self, record: logging.LogRecord) -> None:
        _emit_queued(self, record)

    def _write_batch(self, items: list[Any]) -> None:
        with self._io:
            lines = []
            for item in items:
                try:
                    lines.append(self._text(item))
                except Exception:
                    self._failed(item)
            try:
                stream = self.stream
                stream.write("".join(lines))
                stream.flush()
            except Exception:  # a closed stderr: as logging does
                self.handleError(logging.makeLogRecord({"msg": "stderr"}))

    def flush(self) -> None:  # what is queued is written first
        self._writer.flush()
        super().flush()

    def close(self) -> None:
        self._writer.stop()
        super().close()



def _emit_queued(handler: Any, record: logging.LogRecord) -> None:
    """Hand an access record (fixed values) to ``handler``'s writer thread, which formats
    and writes it; format any other record here and write it at once, after what is queued."""
    writer = handler._writer
    try:
        if "_wolfpy_app" in record.__dict__ and not record.exc_info:
            return writer.put(record)
        line = handler.format(record) + "\n"
        if writer.idle():
            handler._write_batch([line])
        else:  # after the queued lines, in order
            writer.put(line)
            writer.flush()
    except RecursionError:  # pragma: no cover - as logging does
        raise
    except Exception:
        handler.handleError(record)


class _RotatingFile(_Shared, RotatingFileHandler):
    """Size-based rotation that also follows the file when something else rotated it.

    Lines are written by a thread (:mod:`wolfpy.logwriter`), never by the request. The
    file is opened on the first record (nothing is created by an App that never logs). About once a second, and before rotating, the handler checks that the path
    still names the file it has open, as ``WatchedFileHandler`` does (but not on every
    record): workers sharing one file all move to the new file after one of them, or
    ``logrotate``, rotated it.
    """

    CHECK_SECONDS = 1.0

    def __init__(self, path: str, max_bytes: int, backups: int) -> None:
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=True)
        self._ident: tuple[int, int] | None = None
        self._size = 0
        self._next_check = 0.0
        self._io = threading.Lock()  # one writer of the file at a time
        self._pending: list[str] = []
        self._writer = BackgroundWriter(self._write_batch, "wolfpy-log-writer")

    def _open(self) -> Any:
        os.makedirs(os.path.dirname(self.baseFilename), exist_ok=True)
        stream = super()._open()
        st = os.fstat(stream.fileno())
        self._ident, self._size = (st.st_dev, st.st_ino), st.st_size
        self._next_check = time.monotonic() + self.CHECK_SECONDS
        return stream

    def _still_ours(self, stream: Any) -> bool:
        """Is the path still the open file? (Refreshes the size, which other writers change.)"""
        self._drain(stream)  # the lines so far are in the size too
        self._next_check = time.monotonic() + self.CHECK_SECONDS
        try:
            st = os.stat(self.baseFilename)
        except FileNotFoundError:
            return False
        if (st.st_dev, st.st_ino) != self._ident:
            return False
        self._size = os.fstat(stream.fileno()).st_size
        return True

    def emit(self, record: logging.LogRecord) -> None:
        """An access record (fixed values) is formatted by the writer thread; others here, written at once."""
        _emit_queued(self, record)

    def _write_batch(self, items: list[Any]) -> None:
        """Write queued lines (or records) in order, in one write."""
        with self._io:
            for item in items:
                try:
                    self._write(self._text(item))
                except Exception:
                    self._failed(item)
            try:
                if self.stream is not None:
                    self._drain(self.stream)
            except Exception:  # pragma: no cover - a full disk: as logging does
                self.handleError(logging.makeLogRecord({"msg": "flush"}))

    def _write(self, line: str) -> None:
        size = len(line) if line.isascii() else len(line.encode("utf-8"))
        stream = self.stream
        if stream is not None and time.monotonic() >= self._next_check and not self._still_ours(stream):
            stream.close()
            stream = self.stream = None
        if stream is None:
            stream = self.stream = self._open()
        # Never rotate an empty file, even for a record larger than max_bytes.
        if self.maxBytes > 0 and self._size and self._size + size > self.maxBytes:
            if self._still_ours(stream):
                if self._size + size > self.maxBytes:
                    self.doRollover()
                    stream = self.stream = self._open()
            else:  # rotated by someone else meanwhile: write to the new file
                stream.close()
                stream = self.stream = self._open()
        self._pending.append(line)
        self._size += size

    def _drain(self, stream: Any) -> None:
        """The lines so far in one write: whole lines, however many processes append to the file."""
        data, self._pending = "".join(self._pending), []
        stream.write(data)
        stream.flush()

    def flush(self) -> None:  # what is queued is written first
        self._writer.flush()
        super().flush()

    def close(self) -> None:  # what is queued is written first
        self._writer.stop()
        super().close()


_QUEUED = (_Stderr, _RotatingFile)
_ACCESS_LOGGER = logging.getLogger("wolfpy.access")
_WOLFPY_LOGGER = logging.getLogger("wolfpy")


def log_access(app: Any, line: AccessLine) -> bool:
    """Queue an access line on ``app``'s handlers without making a LogRecord, when nothing
    but WolfPy's own handlers would see the record: no handler or filter on the
    ``wolfpy.access`` and ``wolfpy`` loggers other than WolfPy's, none on the root logger
    (when ``wolfpy`` propagates there), the default record factory. False: the record must
    go through :mod:`logging` (the caller makes it), and nothing was queued."""
    access, wolfpy = _ACCESS_LOGGER, _WOLFPY_LOGGER
    if (access.handlers or access.filters or wolfpy.filters or access.disabled or wolfpy.disabled
            or not access.propagate or (wolfpy.propagate and logging.root.handlers)
            or logging.getLogRecordFactory() is not logging.LogRecord):
        return False
    handlers = wolfpy.handlers
    for handler in handlers:
        if type(handler) not in _QUEUED or handler.level > logging.INFO or len(handler.filters) != 1:
            return False
    owner = app.logging
    own = owner.config is not None
    for handler in handlers:
        # What _Shared._accept decides for an INFO record of this App.
        level = handler.levels.get(owner) if own else handler.floor  # type: ignore[attr-defined]
        if level is not None and logging.INFO >= level:
            handler._writer.put(line)  # type: ignore[attr-defined]
    return True
