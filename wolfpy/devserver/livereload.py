"""Browser live reload for the dev server (debug only).

HTML pages get a small script that opens an EventSource on
``/_wolfpy/livereload``. The serving process sends ``reload`` when a template
or static file changes; when the process restarts (code changed) the stream
drops, the browser reconnects, and the script reloads the page on reconnect.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, AsyncIterator

from ..extensions import Extension
from ..http.response import Response
from ..middleware import Hooks

ENDPOINT = "/_wolfpy/livereload"

SCRIPT = (
    "<script>(function(){var dropped=false;function open(){var s=new EventSource('" + ENDPOINT + "');"
    "s.onopen=function(){if(dropped){location.reload();}};"
    "s.addEventListener('reload',function(){location.reload();});"
    "s.onerror=function(){dropped=true;};}open();})();</script>"
).encode()


def is_html(response: Response) -> bool:
    """True when every Content-Type the response carries is ``text/html``."""
    if not response.content_type.lower().startswith("text/html"):
        return False
    for name, value in response.raw_headers:
        if name.lower() == "content-type" and not value.lower().lstrip().startswith("text/html"):
            return False
    return True


def inject(body: bytes) -> bytes | None:
    """``body`` with :data:`SCRIPT` before its ``</body>`` (or ``</html>``); None if it has neither."""
    at = body.rfind(b"</body>")
    if at < 0:
        at = body.rfind(b"</html>")
    if at < 0:
        lower = body.lower()
        at = lower.rfind(b"</body>")
        if at < 0:
            at = lower.rfind(b"</html>")
        if at < 0:
            return None
    return body[:at] + SCRIPT + body[at:]


class LiveReloadScript(Hooks):
    """Injects :data:`SCRIPT` before ``</body>`` of every HTML page.

    Only a complete document gets it: a ``text/html`` response whose body has a
    ``</body>`` or ``</html>``. A fragment, plain text or a JSON string returned as
    ``str`` is left exactly as the handler made it.
    """

    name = "livereload"

    def __init__(self) -> None:
        def after(request: Any, response: Response) -> Response:
            body = response.body
            if type(body) is bytes and body and is_html(response):
                page = inject(body)
                if page is not None:
                    response.body = page
            return response
        self.after = after


class Broadcaster:
    """Tells every open livereload stream to reload when watched files change."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = [p for p in paths if p.exists()]
        self.version = 0
        self._event: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def _ensure_started(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()
            if self.paths:
                self._task = asyncio.get_running_loop().create_task(self._watch())
        return self._event

    async def _watch(self) -> None:
        from watchfiles import awatch
        async for _changes in awatch(*self.paths, debounce=50, step=50):
            self.version += 1
            assert self._event is not None
            self._event.set()
            self._event = asyncio.Event()

    async def stream(self) -> AsyncIterator[bytes]:
        self._ensure_started()  # watch before the first byte, so no change falls in between
        yield b"retry: 300\n\n"
        while True:
            event = self._ensure_started()
            try:
                await asyncio.wait_for(event.wait(), timeout=15)
            except asyncio.TimeoutError:
                yield b": keep-alive\n\n"
                continue
            yield b"event: reload\ndata: " + str(self.version).encode() + b"\n\n"

    def response(self) -> Response:
        return Response(self.stream(), 200, [("cache-control", "no-store")], "text/event-stream")


def livereload_extension(broadcaster: Broadcaster) -> Extension:
    """The dev server's live reload as an extension: the ``/_wolfpy/livereload`` event
    stream and the middleware that puts :data:`SCRIPT` into every HTML page."""
    ext = Extension("livereload", source="livereload (wolfpy serve)")

    @ext.route(ENDPOINT, name="_wolfpy/livereload")
    async def livereload(request: Any) -> Any:
        return broadcaster.response()

    ext.add_middleware(LiveReloadScript())
    return ext
