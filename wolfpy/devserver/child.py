"""The serving child of ``wolfpy serve``: loads the project and runs uvicorn on an inherited socket.

If the project cannot load (a syntax error, a route conflict) it serves an
error page naming the file and line instead. A changed route file is reloaded in
this process (:mod:`.hotswap`); the next good save of a broken route recovers the
same way, and anything else the watcher restarts this process for.
"""
from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path
from typing import Any

from ..diagnostics import load_error_page
from ..errors import WolfPyError
from .hotswap import RESTART_EXIT, HotSwap
from .livereload import ENDPOINT, SCRIPT, Broadcaster, livereload_extension


def build_app(project_root: Path, debug: bool = True) -> tuple[Any, int, str | None]:
    """(ASGI app, route count, load error or None).

    The project is loaded in development mode: ``.env`` is read and debug is on
    unless a setting says otherwise; ``debug=False`` (``--no-debug``) turns it off.
    """
    broadcaster = watch_pages(project_root)
    app, asgi, error = load_app(project_root, debug, broadcaster)
    return asgi, len(app.routes) if app is not None else 0, error


def watch_pages(project_root: Path) -> Broadcaster:
    """The live-reload stream's watcher of templates/, static/ and docs/ (/docs re-renders)."""
    from ..project import Project
    project = Project(project_root)
    return Broadcaster([project.templates, project.static, project.docs])


def load_app(project_root: Path, debug: bool, broadcaster: Broadcaster, previous: Any = None,
             changed: tuple[str, ...] = ()) -> tuple[Any, Any, str | None]:
    """(the App or None, its ASGI app or the error page, the load error or None).

    With ``previous`` (the App serving now), its route modules are reused but for the
    ``changed`` files: only those are imported again.
    """
    from ..app import App, warn_unapplied_migrations
    from ..config import Settings
    from ..project import Project

    project = Project(project_root)
    try:
        settings = Settings.load(project, mode="development")
        if not debug:
            settings = settings.override(app={"debug": False})
        app = App(project, settings)
        if previous is not None and app.route_loader is not None:
            app.route_loader.adopt(previous.route_loader, changed)
        app.load_routes()
        if app.settings.debug:
            app.extend(livereload_extension(broadcaster, project))
        app.freeze()
        if previous is None:
            warn_unapplied_migrations(app)
        return app, app.asgi, None
    except WolfPyError as exc:
        return None, error_app(str(exc), broadcaster), str(exc)


def error_app(message: str, broadcaster: Broadcaster) -> Any:
    page = load_error_page(message).encode().replace(b"</body>", SCRIPT + b"</body>")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()
                await send({"type": msg["type"] + ".complete"})
                if msg["type"] == "lifespan.shutdown":
                    return
        if scope["type"] != "http":
            await send({"type": "websocket.close", "code": 1011})
            return
        if scope["path"] == ENDPOINT:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/event-stream")]})
            async for chunk in broadcaster.stream():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            return
        await send({"type": "http.response.start", "status": 500,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(page)).encode())]})
        await send({"type": "http.response.body", "body": page})
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="wolfpy-devserver-child")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--no-debug", action="store_true")
    parser.add_argument("--control", type=int, help="the pipe carrying the watcher's reload requests")
    args = parser.parse_args(argv)
    import uvicorn

    root = Path(args.project)
    debug = not args.no_debug
    broadcaster = watch_pages(root)
    app, asgi, error = load_app(root, debug, broadcaster)
    hot = HotSwap(root, lambda previous, changed: load_app(root, debug, broadcaster, previous, changed),
                  lambda message: error_app(message, broadcaster), broadcaster, app, asgi)
    count = len(app.routes) if app is not None else 0
    if error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        print(f"  serving an error page at {args.url} until the file is fixed", file=sys.stderr, flush=True)
    else:
        print(f"WolfPy dev server: {args.url} ({count} route{'s' if count != 1 else ''})", flush=True)
    sock = socket.socket(fileno=args.fd)
    config = uvicorn.Config(hot, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    if args.control is not None:
        hot.listen(os.fdopen(args.control, "rb"), server)
    server.run(sockets=[sock])
    if hot.restart:
        sys.exit(RESTART_EXIT)


if __name__ == "__main__":
    main()
