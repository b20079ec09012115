"""Realtime: WebSocket connections (rooms, presence and history build on them)."""
from .websocket import WebSocket, WebSocketDisconnect

__all__ = ["WebSocket", "WebSocketDisconnect"]
