"""Channel layers: how a message reaches every process, and where presence lives.

``memory`` serves one process; ``redis`` many processes on many hosts. Both offer the
same coroutines to :class:`~wolfpy.realtime.hub.Hub`: ``start``, ``stop``,
``publish``, ``track``, ``untrack``, ``members``, ``nodes_stats``.
"""
from __future__ import annotations

from typing import Any


def make_layer(hub: Any) -> Any:
    """The layer ``[realtime] backend`` names, for ``hub``."""
    if hub.config.backend == "redis":
        from .redis import RedisLayer
        return RedisLayer(hub)
    from .memory import MemoryLayer
    return MemoryLayer(hub)
