"""The realtime built-in: ``/_wolfpy/stats`` for admins, the channel layer's start and
stop, and the startup warning for a memory layer under several workers."""
from __future__ import annotations

import os
import shlex
import sys
from typing import Any

from ..extensions import Extension
from .hub import RealtimeConfig, existing_hub, register_default

STATS_PATH = "/_wolfpy/stats"


def worker_count(environ: Any = None, argv: list[str] | None = None) -> int:
    """How many worker processes the server runs, as far as a worker can tell: the
    ``--workers``/``-w`` option of the command line (gunicorn's and uvicorn's workers
    keep their server's ``sys.argv``), then ``GUNICORN_CMD_ARGS``, then ``WEB_CONCURRENCY``
    (which both servers read as their default). 1 when none of them says."""
    env = os.environ if environ is None else environ
    for args in (list(sys.argv if argv is None else argv), shlex.split(env.get("GUNICORN_CMD_ARGS", ""))):
        for i, arg in enumerate(args):
            value = None
            if arg in ("-w", "--workers") and i + 1 < len(args):
                value = args[i + 1]
            elif arg.startswith("--workers="):
                value = arg.split("=", 1)[1]
            elif arg.startswith("-w") and arg[2:].isdigit():
                value = arg[2:]
            if value is not None and value.isdigit():
                return int(value)
    raw = env.get("WEB_CONCURRENCY", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def _rooms_stay_in_one_process(app: Any) -> bool:
    """The memory layer, in an app with WebSocket routes (with no sockets, nothing is lost
    between workers)."""
    return (RealtimeConfig.from_settings(app.settings).backend == "memory"
            and any(getattr(route, "websocket", None) is not None for route in app.routes))


def memory_warning(app: Any, workers: int | None = None) -> str | None:
    """The startup warning for a memory layer with several workers, or None."""
    if not _rooms_stay_in_one_process(app):
        return None
    workers = worker_count() if workers is None else workers
    if workers <= 1:
        return None
    return (f"[realtime] backend is \"memory\" with {workers} workers: rooms, presence and "
            "broadcasts are not shared between them; set [realtime] backend = \"redis\" "
            "(and [redis] url) to run several workers")


def realtime_extension(app: Any) -> Extension:
    """The realtime extension of ``app``: the stats route, the layer's start and stop, and checks."""
    RealtimeConfig.from_settings(app.settings)  # a bad [realtime] value stops the start here
    ext = Extension("realtime", source="realtime (built-in)")

    async def stats(request: Any) -> Any:
        from ..http.response import Response, dumps
        from .stats import cluster_stats
        body = dumps({"processes": await cluster_stats(request.app)})
        return Response(body, content_type="application/json", headers={"cache-control": "no-store"})

    @ext.on_load
    def add_stats_route(app: Any, ext: Extension) -> None:
        # Only for an app that serves WebSockets: the others have nothing to show. Not
        # an API route, so OpenAPI leaves it out; an anonymous browser is sent to the
        # login page, an anonymous JSON client gets 401, a signed-in non-admin 403.
        if any(getattr(route, "websocket", None) is not None for route in app.routes):
            from ..auth.core import role_required
            ext.route(STATS_PATH, name="realtime:stats")(role_required("admin")(stats))

    @ext.on_startup
    def warn_workers() -> None:
        message = memory_warning(app)
        if message is not None:
            from ..config import warn
            warn(message, "realtime")

    @ext.on_shutdown
    async def stop() -> None:
        hub = existing_hub(app)
        if hub is not None:
            await hub.stop()

    @ext.check("security.W005", deploy=True)
    def shared_rooms(app: Any) -> list[Any]:
        from ..checkmessage import WARNING, CheckMessage
        if not _rooms_stay_in_one_process(app):
            return []
        return [CheckMessage(WARNING, "security.W005", "[realtime] backend is \"memory\": rooms, presence and "
                             "broadcasts are not shared between workers or hosts",
                             "set [realtime] backend = \"redis\" (and [redis] url) to run more than one worker")]

    register_default(app)
    return ext
