"""In-process reload for the dev server's child: a changed route file swaps in a new App.

The watcher (the parent) sends one JSON line through a pipe per batch of changed route
files. The child builds a new App from the project as it now is (a fresh scan of
``routes/``, so added, deleted and renamed files are right too) next to the one that
serves, importing only the changed files again (the other route modules are reused as
they are), then swaps it in with one assignment on the event loop: a request in flight
finishes on the App it started on, the next one sees the new App whole. Open pages are
told to reload through the live-reload stream.

Models, settings and the modules of the Python packages the routes import are not
re-imported (they stay in ``sys.modules``): changes there restart the child, as does a
changed route file that some other module imports by name (``import routes.posts``),
since that module would keep the old code. The child then exits with
:data:`RESTART_EXIT` and the watcher starts a new one.
"""
from __future__ import annotations

import asyncio
import importlib
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, Callable

from ..routing.loader import ModuleLoader

RESTART_EXIT = 75  # the child's exit code for "start me again": a change it cannot reload in place

# (the App serving or None, the changed files) -> (the new App or None, its ASGI app or an
# error page, the load error or None)
Loader = Callable[[Any, "tuple[str, ...]"], "tuple[Any, Any, str | None]"]


def imported_elsewhere(paths: list[str], root: Path) -> str | None:
    """The name of a module, other than the route loader's own, loaded from one of ``paths``."""
    wanted = {os.path.normcase(os.path.abspath(p)) for p in paths}
    prefix = ModuleLoader(root).prefix + "."
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None)
        if filename and not name.startswith(prefix) and os.path.normcase(os.path.abspath(filename)) in wanted:
            return name
    return None


class HotSwap:
    """The ASGI app the child serves: every request goes to the current App (or error page).

    Lifespan events start and stop whichever App is current; an App swapped in later is
    started before it serves, and the one it replaces is shut down after.
    """

    def __init__(self, root: Path, load: Loader, error_page: Callable[[str], Any], broadcaster: Any,
                 app: Any, asgi: Any) -> None:
        self.root = root
        self.load = load
        self.error_page = error_page
        self.broadcaster = broadcaster
        self.app = app          # the App serving, or None while a load error is shown
        self.current = asgi     # its ASGI callable: the one attribute a request reads
        self.loop: asyncio.AbstractEventLoop | None = None
        self.started = threading.Event()
        self.restart = False
        self.server: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.current(scope, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.loop = asyncio.get_running_loop()
                try:
                    if self.app is not None:
                        await self.app.startup()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
                self.started.set()
            elif message["type"] == "lifespan.shutdown":
                if self.app is not None:
                    await self.app.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- the watcher's requests (a thread reading the pipe) ---------------------------
    def listen(self, stream: IO[bytes], server: Any) -> threading.Thread:
        """Serve reload requests from ``stream`` in a thread; its end (the watcher is gone)
        stops ``server``."""
        self.server = server
        thread = threading.Thread(target=self._listen, args=(stream,), name="wolfpy-hotswap", daemon=True)
        thread.start()
        return thread

    def _listen(self, stream: IO[bytes]) -> None:
        for line in stream:
            try:
                paths = [str(p) for p in json.loads(line)]
            except ValueError:
                continue
            while not self.started.wait(0.1):
                if self.server.should_exit:
                    return
            if not self.reload(paths):
                break
        self.server.should_exit = True

    def reload(self, paths: list[str]) -> bool:
        """Swap in an App built from the project as it is now; False when the child must
        restart instead (and is stopping to be restarted)."""
        names = ", ".join(sorted({os.path.basename(p) for p in paths}))
        other = imported_elsewhere(paths, self.root)
        if other is not None:
            print(f"  change in {names}: imported as the module {other}, restarting", file=sys.stderr, flush=True)
            self.restart = True
            return False
        started = time.perf_counter()
        try:
            if self.app is None:  # after a load error: every route module is imported afresh
                ModuleLoader(self.root).unload_all()
            importlib.invalidate_caches()
            app, asgi, error = self.load(self.app, tuple(paths))
            assert self.loop is not None
            error = asyncio.run_coroutine_threadsafe(self._install(app, asgi, error), self.loop).result() or error
        except Exception as exc:  # noqa: BLE001 - whatever it was, a fresh process is the safe answer
            print(f"  change in {names}: reloading failed ({type(exc).__name__}: {exc}), restarting",
                  file=sys.stderr, flush=True)
            self.restart = True
            return False
        if error:
            print(f"error: {error}", file=sys.stderr, flush=True)
        else:
            took = (time.perf_counter() - started) * 1000
            print(f"  change in {names}: reloaded in {took:.0f} ms", file=sys.stderr, flush=True)
        return True

    async def _install(self, app: Any, asgi: Any, error: str | None) -> str | None:
        """On the event loop: start ``app``, make it current, stop the old one, tell open pages."""
        if app is not None:
            try:
                await app.startup()
            except Exception as exc:  # noqa: BLE001 - shown as the error page, as a load error is
                error = f"starting the app failed: {type(exc).__name__}: {exc}"
                app, asgi = None, self.error_page(error)
        old = self.app
        self.app, self.current = app, asgi
        if old is not None:
            try:
                await old.shutdown()
            except Exception as exc:  # noqa: BLE001 - the new App serves already
                print(f"  stopping the previous app: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        self.broadcaster.notify()
        return error
