"""Status codes and reason phrases, with status lines precomputed for the WSGI adapter."""
from __future__ import annotations

from http import HTTPStatus

_PHRASES = {s.value: s.phrase for s in HTTPStatus}
_PHRASES.setdefault(422, "Unprocessable Content")

STATUS_LINES: dict[int, str] = {code: f"{code} {phrase}" for code, phrase in _PHRASES.items()}


def reason_phrase(status: int) -> str:
    return _PHRASES.get(status, "Unknown")


def status_line(status: int) -> str:
    line = STATUS_LINES.get(status)
    if line is None:
        line = STATUS_LINES[status] = f"{status} {reason_phrase(status)}"
    return line
