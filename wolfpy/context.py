"""The current request, for helpers called without one (``url_for``, ``send_file``, ``render``).

A ContextVar, so it is right under threads and asyncio alike; outside a
request the helpers fail with a clear message instead of guessing.
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

from .errors import WolfPyError

if TYPE_CHECKING:  # pragma: no cover
    from .http.request import Request

_current: ContextVar["Request | None"] = ContextVar("wolfpy_request", default=None)
set_request = _current.set
reset_request = _current.reset


def request_or_none() -> "Request | None":
    """The current request, or None outside one."""
    return _current.get()


def current_request() -> "Request":
    request = _current.get()
    if request is None:
        raise WolfPyError("working outside of a request: this helper needs the current request "
                          "(call it from a handler, or use app.url_for)")
    return request
