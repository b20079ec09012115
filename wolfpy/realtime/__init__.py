"""Realtime: WebSocket connections, rooms, presence and resumable history (SPEC section 10).

``from wolfpy.realtime import broadcast, history, presence``; a socket joins rooms with
``await ws.join(room, identity=...)``. See ``docs/realtime.md``.
"""
from .api import broadcast, history, presence
from .websocket import JoinRefused, WebSocket, WebSocketDisconnect

__all__ = ["WebSocket", "WebSocketDisconnect", "JoinRefused", "broadcast", "history", "presence"]
