"""``wolfpy serve``: the dev server (uvicorn + reloader), or gunicorn with ``--prod``."""
from __future__ import annotations

import os
import socket
import sys

import typer


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="Port to listen on."),
    reload: bool = typer.Option(True, "--reload/--no-reload", help="Restart on code changes (development)."),
    prod: bool = typer.Option(False, "--prod", help="Run gunicorn with uvicorn workers (production)."),
    workers: int = typer.Option(0, "--workers", "-w", min=0, help="Worker processes for --prod (default: 2 × cores + 1)."),
) -> None:
    """Serve the project: http://HOST:PORT."""
    from ..main import fail
    from .info import _project
    project = _project()
    display_host = f"[{host}]" if ":" in host else host
    url = f"http://{display_host}:{port}"
    if prod:
        _serve_prod(project, host, port, workers or (2 * (os.cpu_count() or 1) + 1), url)
        return
    from ...devserver.watcher import Supervisor, bind
    try:
        sock = bind(host, port)
    except OSError as exc:
        if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            fail(f"port {port} is already in use on {host}; choose another with --port")
        fail(f"cannot listen on {host}:{port}: {exc.strerror}")
    if reload:
        supervisor = Supervisor(project, sock, url)
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
    app, count, error = build_app(project.root)
    if error:
        sock.close()
        fail(error)
    typer.echo(f"WolfPy dev server: {url} ({count} route{'s' if count != 1 else ''})")
    uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                  timeout_graceful_shutdown=1)).run(sockets=[sock])


def _serve_prod(project, host: str, port: int, workers: int, url: str) -> None:  # type: ignore[no-untyped-def]
    from ...app import load
    from ..main import fail
    # Production means debug off, whatever wolfpy.toml says for development: no traceback
    # pages, no .env, and a real secret key required.
    os.environ["WOLFPY_APP_DEBUG"] = "false"
    # Load once in this process so a bad project fails here, in one line, not in every worker.
    app = load(project.root)
    try:
        probe = socket.create_server((host, port))
        probe.close()
    except OSError:
        fail(f"port {port} is already in use on {host}; choose another with --port")
    if app.settings.realtime.backend == "memory" and workers > 1:
        typer.echo(f"warning: [realtime] backend is 'memory' with {workers} workers: WebSocket rooms "
                   "and presence will not be shared between workers (use backend = \"redis\")", err=True)
    typer.echo(f"WolfPy (gunicorn, {workers} worker{'s' if workers != 1 else ''}): {url} "
               f"({len(app.routes)} routes)")
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


def register(app: typer.Typer) -> None:
    app.command()(serve)
