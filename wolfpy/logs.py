"""Structured logging: one JSON object per line, to stderr and to ``logs/app.log``.

:func:`configure_logging` attaches WolfPy's handlers to the ``wolfpy`` logger
(so ``wolfpy.access``, the unhandled-exception tracebacks of ``App.server_error``
and any ``logging.getLogger("wolfpy.<name>")`` of the application end up there).
The ``access_log`` built-in middleware calls it for its App; nothing happens at
import time.

Several Apps in one process share one console handler, and one file handler per
log file. Each App's records go to its own handlers at its own level: a record
made while a request is served belongs to that request's App; one made outside
any request goes to every handler whose level lets it through.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
import weakref
from logging.handlers import RotatingFileHandler
from typing import Any, NamedTuple

from .context import _current
from .errors import ConfigError

__all__ = ["JSONFormatter", "LogConfig", "close_logging", "configure_logging", "is_configured", "log_config", "log_file",
           "LEVELS"]

LOGGER = "wolfpy"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
LOG_FILE = "app.log"

# The request fields a record can carry (the access log sets them all).
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user", "client_ip")

# Everything a LogRecord has of its own: the rest of its __dict__ came from ``extra=``.
_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "taskName"}

# JSON escapes U+0000..U+001F itself; these others also break lines (str.splitlines,
# some terminals and log viewers) or drive terminals (C1 controls such as CSI).
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def _escape_unsafe(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _default(value: Any) -> str:
    try:
        return str(value)
    except Exception as exc:  # a broken __str__ must not lose the line
        return f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default)


def dumps_line(data: dict[str, Any]) -> str:
    """``data`` as one line of JSON: no raw control or line-breaking character can survive."""
    text = _ENCODER.encode(data)
    return text if text.isascii() else _UNSAFE.sub(_escape_unsafe, text)


def _exc_name(kind: type) -> str:
    module = getattr(kind, "__module__", "builtins")
    return kind.__qualname__ if module in ("builtins", "__main__") else f"{module}.{kind.__qualname__}"


class JSONFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``,
    the request fields (``request_id``, ``method``, ``path``, ``status``, ``duration_ms``,
    ``user``, ``client_ip``), any other ``extra=`` values, and ``exc_type``/``traceback``.

    A record made while a request is served, without request fields of its own (an
    unhandled exception, ``log.info(...)`` in a handler), gets the request's
    ``request_id``, ``method`` and ``path``.
    """

    _second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        created = record.created
        second, prefix = self._second
        if int(created) != second:
            second = int(created)
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = (second, prefix)
        data: dict[str, Any] = {
            "time": f"{prefix}.{int((created - second) * 1000):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        attrs = record.__dict__
        if "method" not in attrs:
            request = _current.get()
            if request is not None:
                state = request._state
                data["request_id"] = state.get("request_id") if state else None
                data["method"] = request.method
                data["path"] = request.path
        for key, value in attrs.items():
            if key not in _RECORD_ATTRS and key[:1] != "_" and key not in data:
                data[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            data["exc_type"] = _exc_name(record.exc_info[0])
            data["traceback"] = self.formatException(record.exc_info).rstrip("\n")
        elif record.exc_text:
            data["traceback"] = record.exc_text
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return dumps_line(data)


# -- configuration -------------------------------------------------------------------

class LogConfig(NamedTuple):
    level: int
    file: bool
    console: bool
    max_bytes: int
    backups: int


def log_config(settings: Any) -> LogConfig:
    """The validated ``[logging]`` section of ``settings``; ConfigError (one line) when wrong."""
    def get(key: str, default: Any) -> Any:
        return settings.get("logging", key, default)

    raw_level = get("level", "info")
    level = LEVELS.get(raw_level.strip().lower()) if isinstance(raw_level, str) else None
    if level is None:
        raise ConfigError(f"[logging] level: expected one of {', '.join(LEVELS)}, got {raw_level!r}")
    flags = {}
    for key in ("file", "console"):
        value = get(key, True)
        if not isinstance(value, bool):
            raise ConfigError(f"[logging] {key}: expected true or false, got {value!r}")
        flags[key] = value
    numbers = {}
    for key, default, low in (("max_bytes", 10 * 1024 * 1024, 0), ("backups", 5, 1)):
        value = get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ConfigError(f"[logging] {key}: expected a whole number of at least {low}, got {value!r}"
                              + (" (max_bytes = 0 turns rotation off)" if key == "backups" else ""))
        numbers[key] = value
    return LogConfig(level, flags["file"], flags["console"], numbers["max_bytes"], numbers["backups"])


def log_file(project: Any) -> Any:
    """The path of ``project``'s log file: ``logs/app.log`` under its root."""
    return project.logs / LOG_FILE


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr as it is when the record is written (so a replaced sys.stderr is followed)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class _RotatingFile(RotatingFileHandler):
    """Size-based rotation that also follows the file when something else rotated it.

    The file is opened on the first record (nothing is created by an App that never
    logs). About once a second, and before rotating, the handler checks that the path
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

    def _open(self) -> Any:
        os.makedirs(os.path.dirname(self.baseFilename), exist_ok=True)
        stream = super()._open()
        st = os.fstat(stream.fileno())
        self._ident, self._size = (st.st_dev, st.st_ino), st.st_size
        self._next_check = time.monotonic() + self.CHECK_SECONDS
        return stream

    def _still_ours(self, stream: Any) -> bool:
        """Is the path still the open file? (Refreshes the size, which other writers change.)"""
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
        try:
            line = self.format(record) + "\n"
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
            stream.write(line)
            stream.flush()
            self._size += size
        except RecursionError:  # pragma: no cover - as logging does
            raise
        except Exception:
            self.handleError(record)


class _Entry:
    """One handler and the level of each App (by token) that writes to it."""

    def __init__(self, key: str, handler: logging.Handler) -> None:
        self.key = key
        self.handler = handler
        self.levels: dict[int, int] = {}
        self.floor = logging.INFO
        handler.setFormatter(JSONFormatter())
        handler.addFilter(self._accept)

    def _accept(self, record: logging.LogRecord) -> bool:
        ref = record.__dict__.get("_wolfpy_app")  # a weakref.ref to the App, from access_log
        app = ref() if ref is not None else None
        if app is None:
            request = _current.get()
            app = request.app if request is not None else None
        if app is not None:
            try:
                token = _apps.get(app)
            except TypeError:  # pragma: no cover - not weak-referenceable
                token = None
            if token is not None:
                level = self.levels.get(token.id)
                return level is not None and record.levelno >= level
        return record.levelno >= self.floor


class _AppLog:
    __slots__ = ("id", "config", "keys", "finalizer", "__weakref__")

    def __init__(self, ident: int, config: LogConfig, keys: list[str]) -> None:
        self.id = ident
        self.config = config
        self.keys = keys
        self.finalizer: Any = None


_lock = threading.Lock()
_entries: dict[str, _Entry] = {}
_apps: "weakref.WeakKeyDictionary[Any, _AppLog]" = weakref.WeakKeyDictionary()
_dead: list[int] = []  # tokens of Apps collected while the lock was taken
_counter = [0]
_saved_level: list[int] = []


def configure_logging(app: Any) -> None:
    """Send ``app``'s logs as JSON lines to stderr and ``logs/app.log``, per ``[logging]``.

    Idempotent: calling it again for the same App (with the same settings) does
    nothing, and Apps sharing a log file share one handler. Undone by
    :func:`close_logging` (run by ``App.shutdown``), or when the App is garbage.

    Raises:
        ConfigError: a bad ``[logging]`` value, or a log folder that cannot be written.
    """
    config = log_config(app.settings)
    path = None
    if config.file and getattr(app, "project", None) is not None:
        path = str(log_file(app.project))
        _check_writable(path)
    with _lock:
        _reap()
        current = _apps.get(app)
        if current is not None:
            if current.config == config:
                return
            current.finalizer.detach()
            _release(current.id)
        _counter[0] += 1
        token = _AppLog(_counter[0], config, [])
        if config.console:
            token.keys.append(_add(token.id, "console", config, None))
        if path is not None:
            token.keys.append(_add(token.id, path, config, path))
        token.finalizer = weakref.finalize(app, _collected, token.id)
        _apps[app] = token
        _sync_logger()
    if current is None:
        _on_shutdown(app)


def close_logging(app: Any) -> None:
    """Detach ``app`` from its handlers; a handler no App uses any more is closed."""
    with _lock:
        token = _apps.pop(app, None)
        if token is not None:
            token.finalizer.detach()
            _release(token.id)
        _reap()
        _sync_logger()


def is_configured(app: Any) -> bool:
    return app in _apps


def _on_shutdown(app: Any) -> None:
    hooks = getattr(app, "on_shutdown", None)
    if isinstance(hooks, list) and not any(getattr(h, "_wolfpy_logs", False) for h in hooks):
        ref = weakref.ref(app)

        def close() -> None:
            target = ref()
            if target is not None:
                close_logging(target)
        close._wolfpy_logs = True  # type: ignore[attr-defined]
        hooks.append(close)


def _check_writable(path: str) -> None:
    folder = os.path.dirname(path)
    probe = path if os.path.exists(path) else folder
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ConfigError(f"cannot write {path}: {folder} is not a folder; set [logging] file = false "
                          "to log to the console only")
    if not os.access(probe, os.W_OK):
        raise ConfigError(f"cannot write {path}: permission denied; fix the permissions or set "
                          "[logging] file = false to log to the console only")


def _add(token: int, key: str, config: LogConfig, path: str | None) -> str:
    entry = _entries.get(key)
    if entry is None:
        handler: logging.Handler = _Stderr() if path is None else _RotatingFile(path, config.max_bytes,
                                                                               config.backups)
        entry = _entries[key] = _Entry(key, handler)
    elif isinstance(entry.handler, _RotatingFile):  # the latest App's rotation settings win
        entry.handler.maxBytes, entry.handler.backupCount = config.max_bytes, config.backups
    entry.levels[token] = config.level
    entry.floor = min(entry.levels.values())
    return key


def _release(token: int) -> None:
    for key, entry in list(_entries.items()):
        if entry.levels.pop(token, None) is None:
            continue
        if entry.levels:
            entry.floor = min(entry.levels.values())
        else:
            del _entries[key]
            logging.getLogger(LOGGER).removeHandler(entry.handler)
            entry.handler.close()


def _reap() -> None:
    while _dead:
        _release(_dead.pop())


def _collected(token: int) -> None:
    """An App was garbage-collected: release its handlers now, or at the next (un)configure."""
    if _lock.acquire(blocking=False):
        try:
            _release(token)
            _reap()
            _sync_logger()
        finally:
            _lock.release()
    else:
        _dead.append(token)


def _sync_logger() -> None:
    logger = logging.getLogger(LOGGER)
    wanted = [entry.handler for entry in _entries.values()]
    for handler in wanted:
        if handler not in logger.handlers:
            logger.addHandler(handler)
    if wanted:
        if not _saved_level:
            _saved_level.append(logger.level)
        logger.setLevel(min(entry.floor for entry in _entries.values()))
    elif _saved_level:
        logger.setLevel(_saved_level.pop())
