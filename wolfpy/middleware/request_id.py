"""The ``request_id`` built-in: an id for every request, sent back as ``X-Request-ID``."""
from __future__ import annotations

import os
import re
from typing import Any, Callable

from ..http.response import Response
from . import Hooks

KEY = "request_id"   # request.state key
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")


def id_stamper(app: Any) -> Callable[[Any], None]:
    """``stamp(request)``: puts the request's id in ``request.state["request_id"]``.

    An incoming ``X-Request-ID`` is reused only from one of ``app``'s trusted proxies
    and only when it is a short token, so a client cannot inject text into the logs;
    otherwise the id is a new random one.
    """
    trusted = set(app.settings.security.trusted_proxies)

    def stamp(request: Any) -> None:
        rid = None
        if trusted:
            peer = request.client
            incoming = request.headers.get("x-request-id")
            if peer and peer[0] in trusted and incoming and _REQUEST_ID.match(incoming):
                rid = incoming
        request.state[KEY] = rid or os.urandom(16).hex()  # as uuid4().hex, without the UUID object
    return stamp


class RequestId(Hooks):
    """Gives every request an id (``request.state["request_id"]``, see :func:`id_stamper`)
    sent back as ``X-Request-ID``."""

    name = "request_id"

    def __init__(self, app: Any) -> None:
        stamp = id_stamper(app)

        def after(request: Any, response: Response) -> Response:
            rid = request.state.get(KEY)
            if rid is None:  # a response made before the chain ran (an early 413, say)
                stamp(request)
                rid = request.state[KEY]
            response.headers["X-Request-ID"] = rid
            return response
        self.before, self.after = stamp, after
