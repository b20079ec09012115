"""Browser live reload for the dev server (debug only).

HTML pages get a small script that opens an EventSource on
``/_wolfpy/livereload``. The serving process sends ``reload`` when a template
or static file changes, or when it has reloaded a changed route in place; when
the process restarts (models or settings changed) the stream drops, the browser
reconnects, and the script reloads the page on reconnect.
When only built stylesheets changed (a rebuild of ``assets/``), it sends ``css``
instead: the script fetches the page again and swaps the ``<link rel=stylesheet>``
addresses for the new ones, so the page restyles without losing its state.
"""
from __future__ import annotations

import asyncio
import os
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
    "s.addEventListener('css',function(){fetch(location.href,{cache:'no-store'}).then(function(r){return r.text();})"
    ".then(function(t){var sel='link[rel=stylesheet]',d=new DOMParser().parseFromString(t,'text/html'),"
    "n=d.querySelectorAll(sel),o=document.querySelectorAll(sel);if(n.length!==o.length){location.reload();return;}"
    "for(var i=0;i<o.length;i++){var h=n[i].getAttribute('href');if(h!==o[i].getAttribute('href')){o[i].href=h;}}"
    "}).catch(function(){location.reload();});});"
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


STYLE_SUFFIXES = (".css", ".map", "manifest.json")
BUILT = f"{os.sep}static{os.sep}dist{os.sep}"


def event_for(changes: Any) -> str:
    """``css`` when every changed file is a built stylesheet (``static/dist/``: a new
    fingerprinted name, which the page can link), its map or the assets manifest."""
    return "css" if changes and all(BUILT in str(path) and str(path).endswith(STYLE_SUFFIXES)
                                    for _kind, path in changes) else "reload"


class Broadcaster:
    """Tells every open livereload stream to reload when watched files change."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = [p for p in paths if p.exists()]
        self.version = 0
        self.kind = "reload"
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
        async for changes in awatch(*self.paths, debounce=50, step=50):
            self.notify(event_for(changes))

    def notify(self, kind: str = "reload") -> None:
        """Send ``kind`` to every open stream (on the event loop; also after an in-process reload)."""
        self.version += 1
        self.kind = kind
        if self._event is not None:
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
            yield b"event: " + self.kind.encode() + b"\ndata: " + str(self.version).encode() + b"\n\n"

    def response(self) -> Response:
        return Response(self.stream(), 200, [("cache-control", "no-store")], "text/event-stream")


def livereload_extension(broadcaster: Broadcaster, project: Any = None) -> Extension:
    """The dev server's live reload as an extension: the ``/_wolfpy/livereload`` event
    stream and the middleware that puts :data:`SCRIPT` into every HTML page (and, for a
    project with ``assets/``, the page that shows a stylesheet that does not build)."""
    ext = Extension("livereload", source="livereload (wolfpy serve)")

    @ext.route(ENDPOINT, name="_wolfpy/livereload")
    async def livereload(request: Any) -> Any:
        return broadcaster.response()

    ext.add_middleware(LiveReloadScript())
    if project is not None and project.assets.is_dir():
        from .assets import AssetErrors
        ext.add_middleware(AssetErrors(project.static))
    return ext
