"""The ``request_id`` built-in: an id for every request, sent back as ``X-Request-ID``."""
from __future__ import annotations

import os
import re
from typing import Any, Callable

from ..http.response import Response
from . import Hooks

KEY = "request_id"   # request.state key
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")


# Ids cut from one os.urandom read per 64 requests: the system call is most of what an
# id costs. list.pop and list.extend are atomic, so threads share the pool safely.
_pool: list[str] = []


def new_id() -> str:
    """A new random request id: 32 hex characters, as ``uuid.uuid4().hex``."""
    try:
        return _pool.pop()
    except IndexError:
        blob = os.urandom(1024).hex()
        _pool.extend([blob[i:i + 32] for i in range(32, 2048, 32)])
        return blob[:32]


def _after_fork() -> None:
    _pool.clear()  # a forked worker reads its own ids: never the ones left in its parent's pool


os.register_at_fork(after_in_child=_after_fork)


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
        request.state[KEY] = rid or new_id()
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
            headers = response.raw_headers
            if any(name.lower() == "x-request-id" for name, _ in headers):
                response.headers["X-Request-ID"] = rid   # the handler set one: replaced
            else:  # a hex id or a checked token (see id_stamper): nothing to validate
                headers.append(("X-Request-ID", rid))
            return response
        self.before, self.after = stamp, after
