"""The JSON line format of WolfPy's logs: :class:`JSONFormatter` and :func:`dumps_line`."""
from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from .context import _current

__all__ = ["JSONFormatter", "dumps_line"]

# Everything a LogRecord has of its own: the rest of its __dict__ came from ``extra=``.
_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "taskName"}

# JSON escapes U+0000..U+001F itself; these others also break lines (str.splitlines,
# some terminals and log viewers) or drive terminals (C1 controls such as CSI).
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")
_LINE = "_wolfpy_line"   # a record's formatted line, kept on it by JSONFormatter


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


# An access record (the access_log built-in's, made by the default record factory) has
# these attributes and no others: its line is put together directly, with the same text
# as the general path below gives, at a fraction of the cost.
ACCESS_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user", "client_ip")
_ACCESS_KEYS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {*ACCESS_FIELDS, "_wolfpy_app"}
_ACCESS_LINE = ('{"time":"%s","level":%s,"logger":%s,"message":%s,"request_id":%s,"method":%s,'
                '"path":%s,"status":%s,"duration_ms":%s,"user":%s,"client_ip":%s}')
_encode_str = json.encoder.encode_basestring  # what the encoder above uses for str


def _json_scalar(value: Any) -> str | None:
    """``value`` as JSON when it is None, a str, an int or a finite float (else None)."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)  # type: ignore[no-any-return]
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is float and value - value == 0:  # finite
        return float.__repr__(value)
    return None


def _access_line(stamp: str, record: logging.LogRecord) -> str | None:
    attrs = record.__dict__
    try:
        message = record.getMessage()
    except Exception:
        return None
    return _access_json(stamp, record.levelname, record.name, message, [attrs[key] for key in ACCESS_FIELDS])


def _access_json(stamp: str, level: str, logger: str, message: str, values: list[Any]) -> str | None:
    parts = [_json_scalar(value) for value in values]
    if None in parts:
        return None
    text = _ACCESS_LINE % (stamp, _encode_str(level), _encode_str(logger), _encode_str(message), *parts)
    return text if text.isascii() else _UNSAFE.sub(_escape_unsafe, text)


_second: tuple[int, str] = (-1, "")


def _stamp(created: float) -> str:
    """``created`` (a time.time()) as the ``time`` field: ISO 8601 in UTC, to the millisecond."""
    global _second
    second, prefix = _second
    if int(created) != second:
        second = int(created)
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _second = (second, prefix)
    return f"{prefix}.{int((created - second) * 1000):03d}Z"


class AccessLine:
    """An access line not made into a LogRecord (when nothing but WolfPy's own handlers
    would see one, see :func:`wolfpy.loghandlers.log_access`): its time and the values of
    :data:`ACCESS_FIELDS`. Its text is the line the record would have had, made once."""

    __slots__ = ("created", "values", "_text")

    def __init__(self, created: float, values: list[Any]) -> None:
        self.created = created
        self.values = values
        self._text: str | None = None

    def text(self) -> str:
        """The JSON line, with its newline."""
        text = self._text
        if text is None:
            values = self.values
            stamp = _stamp(self.created)
            message = f"{values[1]} {values[2]} {values[3]}"
            line = _access_json(stamp, "INFO", "wolfpy.access", message, values)
            if line is None:  # a value JSON has no scalar for: the general encoder
                line = dumps_line({"time": stamp, "level": "INFO", "logger": "wolfpy.access", "message": message,
                                   **dict(zip(ACCESS_FIELDS, values))})
            text = self._text = line + "\n"
        return text


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

    def format(self, record: logging.LogRecord) -> str:
        # Formatted once per record: the console and the log file share the line.
        line: str | None = record.__dict__.get(_LINE)
        if line is not None and type(self) is JSONFormatter:
            return line
        line = self._format(record)
        if type(self) is JSONFormatter:
            record.__dict__[_LINE] = line
        return line

    def _format(self, record: logging.LogRecord) -> str:
        stamp = _stamp(record.created)
        attrs = record.__dict__
        if attrs.keys() == _ACCESS_KEYS and record.exc_info is None and not record.exc_text \
                and not record.stack_info:
            line = _access_line(stamp, record)
            if line is not None:
                return line
        data: dict[str, Any] = {
            "time": stamp,
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if "method" not in attrs:
            request = _current.get()
            if request is not None:
                data["request_id"] = request.state.get("request_id")
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
