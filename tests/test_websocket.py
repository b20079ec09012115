"""WebSockets through the ASGI adapter: echo, params, rejection, limits."""
from __future__ import annotations

import pytest

from wolfpy.testing import TestClient, WebSocketRejected

WS = {
    "routes/ws/echo.py": """
        async def websocket(ws):
            await ws.accept()
            async for message in ws.iter_json():
                await ws.send_json({"echo": message, "path": ws.path})
    """,
    "routes/ws/[room].py": """
        async def websocket(ws, room: str):
            await ws.accept()
            await ws.send_text(f"joined {room} as {ws.query.get('name', '?')}")
            text = await ws.receive_text()
            await ws.send_text(text.upper())
            await ws.close()
    """,
    "routes/ws/num/[n].py": """
        async def websocket(ws, n: int):
            await ws.accept()
            await ws.send_json({"n": n * 2})
    """,
    "routes/ws/refuse.py": """
        async def websocket(ws):
            await ws.close(4003)
    """,
    "routes/ws/boom.py": """
        async def websocket(ws):
            await ws.accept()
            raise RuntimeError("boom")
    """,
    "routes/ws/bytes.py": """
        async def websocket(ws):
            await ws.accept()
            data = await ws.receive_bytes()
            await ws.send_bytes(data[::-1])
    """,
}


@pytest.fixture
def client(load_app):
    with TestClient(load_app(WS, toml="[security]\nwebsocket_max_message = 100\n"), protocol="asgi") as c:
        yield c


def test_echo(client):
    with client.websocket_connect("/ws/echo") as ws:
        ws.send_json({"text": "hi"})
        assert ws.receive_json() == {"echo": {"text": "hi"}, "path": "/ws/echo"}
        ws.send_json([1, 2])
        assert ws.receive_json() == {"echo": [1, 2], "path": "/ws/echo"}


def test_path_params_and_query(client):
    with client.websocket_connect("/ws/lobby?name=ann") as ws:
        assert ws.receive_text() == "joined lobby as ann"
        ws.send_text("hello")
        assert ws.receive_text() == "HELLO"
        assert ws.receive()["type"] == "websocket.close"


def test_converted_param_and_bad_value_refused(client):
    with client.websocket_connect("/ws/num/21") as ws:
        assert ws.receive_json() == {"n": 42}
    with pytest.raises(WebSocketRejected):
        with client.websocket_connect("/ws/num/abc"):
            pass


def test_unknown_path_and_http_only_route_are_refused(client):
    with pytest.raises(WebSocketRejected):
        with client.websocket_connect("/ws/nope/x/y"):
            pass


def test_handler_may_refuse(client):
    with pytest.raises(WebSocketRejected) as info:
        with client.websocket_connect("/ws/refuse"):
            pass
    assert info.value.code == 4003


def test_foreign_origin_is_refused(client):
    with pytest.raises(WebSocketRejected):
        with client.websocket_connect("/ws/echo", headers={"origin": "http://evil.example"}):
            pass
    with client.websocket_connect("/ws/echo", headers={"origin": "http://testserver"}) as ws:
        ws.send_json(1)
        assert ws.receive_json()["echo"] == 1


@pytest.mark.parametrize("allowed", [[".example.com", "api.example.org:8443"], ["*"]],
                         ids=["domain and name:port", "star"])
def test_origin_check_admits_what_allowed_hosts_admits(load_app, allowed):
    """A WebSocket from a browser on a host is accepted exactly when an HTTP request with
    that Host gets past the ``allowed_hosts`` built-in: ``.example.com`` and ``*`` too."""
    files = {**WS, "routes/index.py": "def get(request):\n    return 'ok'\n"}
    hosts = ", ".join(f'"{h}"' for h in allowed)
    app = load_app(files, toml=f'[app]\ndebug = false\nallowed_hosts = [{hosts}]\n'
                              '[middleware]\nbuiltin = ["allowed_hosts"]\n')
    candidates = ["example.com", "www.example.com", "a.b.example.com", "example.com:8000", "evil.com",
                  "example.com.evil.com", "notexample.com", "api.example.org:8443", "api.example.org"]
    with TestClient(app, protocol="asgi") as client:
        for host in candidates:
            http_ok = client.get("/", headers={"host": host}).status_code == 200
            try:
                with client.websocket_connect("/ws/echo", headers={"origin": f"https://{host}"}) as ws:
                    ws.send_json(1)
                    ws_ok = ws.receive_json()["echo"] == 1
            except WebSocketRejected:
                ws_ok = False
            assert ws_ok == http_ok, (host, http_ok)
        admitted = {h for h in candidates if client.get("/", headers={"host": h}).status_code == 200}
    if allowed == ["*"]:
        assert admitted == set(candidates)
    else:
        assert admitted == {"example.com", "www.example.com", "a.b.example.com", "example.com:8000",
                            "api.example.org:8443"}


def test_malformed_origin_is_refused(client):
    for origin in ("null", "testserver", "http://testserver/path", "http://a@testserver",
                   "http://testserver:x"):
        with pytest.raises(WebSocketRejected):
            with client.websocket_connect("/ws/echo", headers={"origin": origin}):
                pass


def test_oversized_message_closes_1009(client):
    with client.websocket_connect("/ws/echo") as ws:
        ws.send_text('"' + "x" * 200 + '"')
        message = ws.receive()
        assert message["type"] == "websocket.close" and message["code"] == 1009


def test_handler_exception_closes_1011(client):
    with client.websocket_connect("/ws/boom") as ws:
        message = ws.receive()
        assert message["type"] == "websocket.close" and message["code"] == 1011


def test_bytes(client):
    with client.websocket_connect("/ws/bytes") as ws:
        ws.send_bytes(b"abc")
        assert ws.receive_bytes() == b"cba"


def test_plain_http_get_to_websocket_route_is_426(load_app, protocol):
    with TestClient(load_app(WS), protocol=protocol) as c:
        r = c.get("/ws/echo")
        assert r.status_code == 426
        assert "WebSocket" in r.text
