"""``wolfpy serve``: the dev server (uvicorn + reloader), or gunicorn with ``--prod``."""
from __future__ import annotations

import os
import socket
import sys
from typing import Optional

import typer

from ..common import count, fail, find_project


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="Port to listen on."),
    reload: bool = typer.Option(True, "--reload/--no-reload", help="Reload or restart on code changes (development)."),
    prod: bool = typer.Option(False, "--prod", help="Run gunicorn with uvicorn workers (production: debug off)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, metavar="N", show_default=False,
                                          help="Worker processes for --prod (default: 2 × CPU cores + 1)."),
    no_debug: bool = typer.Option(False, "--no-debug",
                                  help="Development without the debug page and live reload."),
) -> None:
    """Serve the project: http://HOST:PORT.

    Development (the default) reads .env and turns debug on unless wolfpy.toml, the
    environment or --no-debug says otherwise. --prod runs with debug off.
    """
    project = find_project()
    display_host = f"[{host}]" if ":" in host else host
    url = f"http://{display_host}:{port}"
    if prod:
        _serve_prod(project, host, port, workers or default_workers(), url)
        return
    from ...devserver.watcher import Supervisor, bind
    try:
        sock = bind(host, port)
    except OSError as exc:
        if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            fail(f"port {port} is already in use on {host}; choose another with --port")
        fail(f"cannot listen on {host}:{port}: {exc.strerror}")
    if reload:
        supervisor = Supervisor(project, sock, url, debug=not no_debug)
        try:
            supervisor.run()
        except KeyboardInterrupt:
            pass
        finally:
            supervisor.stop_child()
            sock.close()
        return
    from ...devserver.child import build_app
    import uvicorn
    app, routes, error = build_app(project.root, debug=not no_debug)
    if error:
        sock.close()
        fail(error)
    typer.echo(f"WolfPy dev server: {url} ({count(routes, 'route')})")
    uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                  timeout_graceful_shutdown=1)).run(sockets=[sock])


def default_workers() -> int:
    """gunicorn's usual advice: 2 × CPU cores + 1."""
    return 2 * (os.cpu_count() or 1) + 1


def _serve_prod(project, host: str, port: int, workers: int, url: str) -> None:  # type: ignore[no-untyped-def]
    from ...app import load
    # Load once in this process, as each worker will (production mode: debug off, no .env,
    # a real secret key), so a bad project fails here, in one line, not in every worker.
    app = load(project.root, mode="production")
    try:
        probe = socket.create_server((host, port))
        probe.close()
    except OSError:
        fail(f"port {port} is already in use on {host}; choose another with --port")
    typer.echo(f"WolfPy (gunicorn, {count(workers, 'worker')}): {url} ({len(app.routes)} routes)")
    cmd = [sys.executable, "-m", "gunicorn", "wolfpy.asgi:application", "--worker-class",
           "uvicorn_worker.UvicornWorker", "--bind", f"{host}:{port}", "--workers", str(workers)]
    import gunicorn
    if tuple(gunicorn.version_info) >= (27,):
        cmd.append("--no-control-socket")  # else every gunicorn of this user shares ~/.gunicorn
    env = dict(os.environ, WOLFPY_PROJECT=str(project.root))
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(project.root)
    # Become gunicorn: signals from a process manager then reach the arbiter directly.
    os.execve(sys.executable, cmd, env)
