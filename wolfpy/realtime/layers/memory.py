"""The memory layer: rooms and presence of one process, nothing shared."""
from __future__ import annotations

from typing import Any


class MemoryLayer:
    """Messages go straight to this process's sockets; presence is read from its rooms."""

    shared = False

    def __init__(self, hub: Any) -> None:
        self.hub = hub

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def room_opened(self, room: str) -> None:
        return None

    async def room_closed(self, room: str) -> None:
        return None

    async def publish(self, room: str, text: str) -> None:
        self.hub.deliver_local(room, text)

    async def track(self, room: str, conn: str, entry: dict[str, Any]) -> None:
        return None  # the hub's own room table is the presence of this process

    async def untrack(self, room: str, conns: list[str]) -> list[str]:
        return conns

    async def members(self, room: str) -> list[dict[str, Any]]:
        return self.hub.local_entries(room)

    async def nodes_stats(self) -> list[dict[str, Any]]:
        return [self.hub.snapshot()]
