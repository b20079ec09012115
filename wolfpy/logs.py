"""Structured logging: one JSON object per line, to stderr and to ``logs/app.log``.

:func:`configure_logging` attaches WolfPy's handlers to the ``wolfpy`` logger
(so ``wolfpy.access``, the unhandled-exception tracebacks of ``App.server_error``
and any ``logging.getLogger("wolfpy.<name>")`` of the application end up there).
The ``access_log`` built-in middleware calls it for its App; nothing happens at
import time.

Each App's logging is its :class:`AppLogging` (``app.logging``). Several Apps in
one process share one console handler, and one file handler per log file. Each
App's records go to its own handlers at its own level: a record made while a
request is served belongs to that request's App; one made outside any request goes
to every handler whose level lets it through.
"""
from __future__ import annotations

import logging
import os
import threading
import weakref
from typing import Any, NamedTuple

from .logformat import JSONFormatter, dumps_line as dumps_line  # dumps_line: its old home
from .loghandlers import _RotatingFile as _RotatingFile, _Shared, _Stderr  # _RotatingFile: its old home
from .errors import ConfigError

__all__ = ["AppLogging", "JSONFormatter", "LogConfig", "close_logging", "configure_logging", "is_configured",
           "log_config", "log_file", "LEVELS"]

LOGGER = "wolfpy"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
LOG_FILE = "app.log"

# The request fields a record can carry (the access log sets them all).
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user", "client_ip")

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


# Python's logging is process-wide: the ``wolfpy`` logger and its handlers belong to the
# process, whatever WolfPy does. WolfPy keeps no list of its own beside it: its handlers on
# that logger (one per destination) are the list, and this lock guards changes to it.
_lock = threading.Lock()


class AppLogging:
    """The logging of one App, ``app.logging``: the handlers it writes to, at its level.

    Each destination (stderr, one log file) has one handler on the ``wolfpy`` logger,
    shared by the Apps writing there: two handlers on one file would write a record
    made outside any request twice, and rotate the file under each other. A shared
    handler lets an App's records through at that App's level, and drops them when
    the App writes elsewhere, so two Apps with their own log files each get their own
    lines. When the App is shut down or garbage-collected, it leaves its handlers; a
    handler no App uses any more is closed.
    """

    __slots__ = ("_app", "config", "handlers", "_finalizer", "_orphaned")

    def __init__(self, app: Any) -> None:
        self._app = weakref.ref(app)
        #: The ``[logging]`` settings in force, None while no handler is set up.
        self.config: LogConfig | None = None
        #: The handlers this App writes to.
        self.handlers: list[_Shared] = []
        self._finalizer: Any = None
        self._orphaned = False

    @property
    def configured(self) -> bool:
        return self.config is not None

    def configure(self) -> None:
        """Set up this App's handlers per its ``[logging]`` settings; see :func:`configure_logging`."""
        app = self._app()
        if app is None:  # pragma: no cover - the App owns this object
            return
        config = log_config(app.settings)
        path = None
        if config.file and getattr(app, "project", None) is not None:
            path = str(log_file(app.project))
            _check_writable(path)
        with _lock:
            _sweep()
            first = self.config is None
            if not first:
                if self.config == config:
                    return
                _leave(self)
            if config.console:
                self.handlers.append(_join(self, "console", config, None))
            if path is not None:
                self.handlers.append(_join(self, path, config, path))
            self.config = config
            self._finalizer = weakref.finalize(app, _collected, self)
            _set_logger_level()
        if first:
            _on_shutdown(app)

    def close(self) -> None:
        """Leave this App's handlers; a handler no App uses any more is closed."""
        with _lock:
            _leave(self)
            _sweep()
            _set_logger_level()


def configure_logging(app: Any) -> None:
    """Send ``app``'s logs as JSON lines to stderr and ``logs/app.log``, per ``[logging]``.

    Idempotent: calling it again for the same App (with the same settings) does
    nothing, and Apps sharing a log file share one handler. Undone by
    :func:`close_logging` (run by ``App.shutdown``), or when the App is garbage.

    Raises:
        ConfigError: a bad ``[logging]`` value, or a log folder that cannot be written.
    """
    app.logging.configure()


def close_logging(app: Any) -> None:
    """Detach ``app`` from its handlers; a handler no App uses any more is closed."""
    app.logging.close()


def is_configured(app: Any) -> bool:
    return app.logging.config is not None


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


def _ours(logger: logging.Logger) -> list[_Shared]:
    return [h for h in logger.handlers if isinstance(h, _Shared)]


def _join(owner: AppLogging, key: str, config: LogConfig, path: str | None) -> _Shared:
    """The handler for ``key`` (made and put on the logger if none has it yet), with ``owner`` in it."""
    logger = logging.getLogger(LOGGER)
    ours = _ours(logger)
    handler = next((h for h in ours if h.key == key), None)
    if handler is None:
        handler = _Stderr() if path is None else _RotatingFile(path, config.max_bytes, config.backups)
        handler._share(key, ours[0].saved_level if ours else logger.level)
        logger.addHandler(handler)  # type: ignore[arg-type]
    elif isinstance(handler, _RotatingFile):  # the latest App's rotation settings win
        handler.maxBytes, handler.backupCount = config.max_bytes, config.backups
    handler.levels[owner] = config.level
    handler.floor = min(handler.levels.values())
    return handler


def _leave(owner: AppLogging) -> None:
    """Take ``owner`` out of its handlers, closing the ones left without an App (under ``_lock``)."""
    if owner._finalizer is not None:
        owner._finalizer.detach()
        owner._finalizer = None
    logger = logging.getLogger(LOGGER)
    for handler in owner.handlers:
        handler.levels.pop(owner, None)
        if handler.levels:
            handler.floor = min(handler.levels.values())
        else:
            logger.removeHandler(handler)  # type: ignore[arg-type]
            handler.close()  # type: ignore[attr-defined]
            if not _ours(logger):
                logger.setLevel(handler.saved_level)
    owner.handlers = []
    owner.config = None
    owner._orphaned = False


def _sweep() -> None:
    """Release the Apps collected while ``_lock`` was taken (under ``_lock``)."""
    for handler in _ours(logging.getLogger(LOGGER)):
        for owner in [o for o in handler.levels if o._orphaned]:
            _leave(owner)


def _collected(owner: AppLogging) -> None:
    """An App was garbage-collected: release its handlers now, or at the next (un)configure."""
    if _lock.acquire(blocking=False):
        try:
            _leave(owner)
            _sweep()
            _set_logger_level()
        finally:
            _lock.release()
    else:  # the garbage collector ran while this thread held the lock
        owner._orphaned = True


def _set_logger_level() -> None:
    """The ``wolfpy`` logger lets through what the most verbose of its Apps wants."""
    logger = logging.getLogger(LOGGER)
    ours = _ours(logger)
    if ours:
        logger.setLevel(min(h.floor for h in ours))
