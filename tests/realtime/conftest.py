"""A chat project for the realtime tests, loaded in-process and driven by TestClient."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from wolfpy.app import App
from wolfpy.testing import TestClient

CHAT = {
    "routes/chat/[room].py": """
        from wolfpy.realtime import broadcast, history

        def authorize(ws, room):
            return room != "secret"

        async def websocket(ws, room: str):
            await ws.accept()
            await ws.join(room, identity=ws.query.get("name"), meta={"device": ws.query.get("device", "")})
            since = ws.query.get("since")
            for message in await history(room, limit=50, since=int(since) if since else None):
                await ws.send_json(message)
            async for message in ws.iter_json():
                if message.get("leave"):
                    await ws.leave(room)
                    continue
                await broadcast(room, {"from": ws.identity, "text": message["text"]},
                                persist=message.get("persist", True))
    """,
    "routes/notify/[room].py": """
        from wolfpy.realtime import broadcast

        def post(request, room: str):
            sent = broadcast(room, {"text": "from a sync handler"}, persist=True)
            return {"id": sent["id"]}

        async def put(request, room: str):
            sent = await broadcast(room, {"text": "from an async handler"})
            return {"sent": sent}
    """,
}


@pytest.fixture
def rt_app(load_app: Callable[..., App]) -> Callable[..., App]:
    def make(toml: str = "", files: dict[str, str] | None = None) -> App:
        return load_app({**CHAT, **(files or {})}, "[app]\ndebug = false\n" + toml)
    return make


@pytest.fixture
def rt_client(rt_app: Callable[..., App]) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(toml: str = "", files: dict[str, str] | None = None) -> TestClient:
        client = TestClient(rt_app(toml, files))
        clients.append(client)
        return client
    yield make
    for client in clients:
        client.close()


def receive_until(ws: Any, predicate: Callable[[Any], bool], limit: int = 20) -> Any:
    """The first JSON message ``predicate`` accepts (skipping others, at most ``limit``)."""
    for _ in range(limit):
        message = ws.receive_json()
        if predicate(message):
            return message
    raise AssertionError("no such message")


def is_chat(message: Any) -> bool:
    return isinstance(message, dict) and message.get("type") != "presence"
