"""Connection statistics: this process's (``local_stats``) and every process's (``cluster_stats``).

``wolfpy inspect realtime``, ``/_wolfpy/stats`` and the admin's metrics page read them.
On the Redis layer every process writes its own figures to Redis at each heartbeat,
so ``cluster_stats`` lists the live processes of every host.
"""
from __future__ import annotations

from typing import Any

from .hub import hub_for

__all__ = ["local_stats", "cluster_stats"]


def local_stats(app: Any) -> dict[str, Any]:
    """This process's figures for ``app``: ``connections`` (open WebSockets), ``rooms``
    (rooms with a socket here), ``members`` (sockets in rooms with an identity),
    ``messages_in`` / ``messages_out`` (totals) and their rates per second since the
    previous reading, ``slow_disconnects``, ``pid``, ``host``, ``node``, ``backend``."""
    return hub_for(app).snapshot()


async def cluster_stats(app: Any) -> list[dict[str, Any]]:
    """One :func:`local_stats` dict per live process: through Redis on the Redis layer,
    this process's alone on the memory layer."""
    hub = hub_for(app)
    await hub.start()
    return list(await hub.layer.nodes_stats())
