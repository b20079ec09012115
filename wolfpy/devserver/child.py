"""The serving child of ``wolfpy serve``: loads the project and runs uvicorn on an inherited socket.

If the project cannot load (a syntax error, a route conflict) it serves an
error page naming the file and line instead, and waits to be restarted.
"""
from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path
from typing import Any

from ..diagnostics import load_error_page
from ..errors import WolfPyError
from .livereload import ENDPOINT, SCRIPT, Broadcaster, livereload_extension


def build_app(project_root: Path, debug: bool = True) -> tuple[Any, int, str | None]:
    """(ASGI app, route count, load error or None).

    The project is loaded in development mode: ``.env`` is read and debug is on
    unless a setting says otherwise; ``debug=False`` (``--no-debug``) turns it off.
    """
    from ..app import App, warn_unapplied_migrations
    from ..config import Settings
    from ..project import Project

    project = Project(project_root)
    broadcaster = Broadcaster([project.templates, project.static, project.docs])  # docs/: /docs re-renders
    try:
        settings = Settings.load(project, mode="development")
        if not debug:
            settings = settings.override(app={"debug": False})
        app = App(project, settings)
        app.load_routes()
        if app.settings.debug:
            app.extend(livereload_extension(broadcaster, project))
        app.freeze()
        warn_unapplied_migrations(app)
        return app.asgi, len(app.routes), None
    except WolfPyError as exc:
        return _error_app(str(exc), broadcaster), 0, str(exc)


def _error_app(message: str, broadcaster: Broadcaster) -> Any:
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
    args = parser.parse_args(argv)
    import uvicorn

    root = Path(args.project)
    app, count, error = build_app(root, debug=not args.no_debug)
    if error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        print(f"  serving an error page at {args.url} until the file is fixed", file=sys.stderr, flush=True)
    else:
        print(f"WolfPy dev server: {args.url} ({count} route{'s' if count != 1 else ''})", flush=True)
    sock = socket.socket(fileno=args.fd)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
