"""The ``access_log`` built-in: one JSON line per request on the ``wolfpy.access`` logger
(see :mod:`wolfpy.logs` and docs/errors-and-logging.md)."""
from __future__ import annotations

import logging
import time
import weakref
from typing import Any

from ..auth.users import SESSION_KEY
from ..http.response import Response
from ..logformat import ACCESS_FIELDS, AccessLine
from ..loghandlers import log_access
from . import Hooks
from .request_id import KEY as REQUEST_ID, id_stamper

_ACCESS_START = "access_log_start"  # request.state key: time.perf_counter() at `before`
_ACCESS_DONE = -1.0                 # stored there once the line is written (never twice)


def _user_field(user: Any) -> Any:
    """What the access log says about ``request.user``: its username, else its id, else null."""
    if user is None or getattr(user, "is_authenticated", True) is False:
        return None
    for attr in ("username", "id"):
        value = getattr(user, attr, None)
        if value is not None:
            return value if isinstance(value, (str, int)) and not isinstance(value, bool) else str(value)
    return None


def _logged_user(request: Any) -> Any:
    """The ``user`` of an access line, from what the request already looked at: the user
    it loaded, else the user id in the session it read; null otherwise. Never a query or
    a session load made only for the log line."""
    user = request.loaded_user
    if user is not None:
        return _user_field(user)
    if request.has_session:
        session = request.session
        if session.accessed:
            value = session.get(SESSION_KEY)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return value
    return None


class AccessLog(Hooks):
    """One INFO record per request on the ``wolfpy.access`` logger, as a JSON line:
    ``request_id``, ``method``, ``path``, ``status``, ``duration_ms``, ``user``, ``client_ip``.

    Creating it configures the App's logging (:func:`wolfpy.logs.configure_logging`).
    The query string is never logged (it may carry tokens).
    """

    name = "access_log"

    def __init__(self, app: Any) -> None:
        from ..logs import configure_logging, is_configured
        configure_logging(app)
        logger = logging.getLogger("wolfpy.access")
        clock = time.perf_counter
        app_ref = weakref.ref(app)  # records name their App without keeping it alive
        # A response made before the chain ran (an early 413) reaches this layer before the
        # request_id built-in has stamped the request: the id it will send is given here.
        stamp_id = id_stamper(app) if REQUEST_ID in app.settings.middleware.builtin else None

        def before(request: Any) -> None:
            request.state[_ACCESS_START] = clock()
            return None

        def after(request: Any, response: Response) -> Response:
            state = request.state
            start = state.get(_ACCESS_START)
            if start == _ACCESS_DONE:
                return response
            state[_ACCESS_START] = _ACCESS_DONE
            if not is_configured(app):  # closed by App.shutdown, and serving again
                configure_logging(app)
            if not logger.isEnabledFor(logging.INFO):
                return response
            rid = state.get(REQUEST_ID)
            if rid is None and stamp_id is not None:
                stamp_id(request)
                rid = state.get(REQUEST_ID)
            duration = round((clock() - start) * 1000, 3) if start is not None else None
            method, path, status = request.method, request.path, response.status
            values = [rid, method, path, status, duration, _logged_user(request), request.client_ip]
            if log_access(app, AccessLine(time.time(), values)):
                return response  # queued on WolfPy's handlers: nothing else would see a record
            # A record made as makeRecord would (its factory, so a custom one is honoured),
            # without logger.info()'s stack walk and extra= key checks.
            record = logging.getLogRecordFactory()(
                "wolfpy.access", logging.INFO, "wolfpy.access", 0, "%s %s %s", (method, path, status), None)
            attrs = record.__dict__
            for key, value in zip(ACCESS_FIELDS, values):
                attrs[key] = value
            attrs["_wolfpy_app"] = app_ref
            logger.handle(record)
            return response
        self.before, self.after = before, after
