"""Rooms, broadcast, presence, authorize and history on the memory layer (one process)."""
from __future__ import annotations

import pytest

from tests.realtime.conftest import is_chat, receive_until
from wolfpy.realtime import broadcast, history, presence
from wolfpy.testing import WebSocketRejected


def names(members):
    return sorted(m["identity"] for m in members)


def test_a_message_reaches_the_room_and_only_the_room(rt_client):
    client = rt_client()
    with client.websocket_connect("/chat/a?name=ann") as ann, \
            client.websocket_connect("/chat/a?name=bob") as bob, \
            client.websocket_connect("/chat/b?name=cat") as cat:
        ann.send_json({"text": "hello"})
        got = [receive_until(ws, is_chat) for ws in (ann, bob)]
        assert got[0] == got[1] == {"id": got[0]["id"], "from": "ann", "text": "hello"}
        cat.send_json({"text": "other room"})
        assert receive_until(cat, is_chat)["text"] == "other room"
        bob.send_json({"text": "second"})
        # ann sees bob's message next, never cat's
        assert receive_until(ann, is_chat)["text"] == "second"


def test_presence_one_identity_on_two_devices_is_one_member(rt_client):
    client = rt_client()
    with client.websocket_connect("/chat/r?name=ann&device=phone") as phone:
        first = phone.receive_json()
        assert first["type"] == "presence" and names(first["joins"]) == ["ann"]
        with client.websocket_connect("/chat/r?name=ann&device=laptop") as laptop:
            snapshot = laptop.receive_json()
            assert names(snapshot["joins"]) == ["ann"]
            assert sorted(m["device"] for m in snapshot["joins"][0]["metas"]) == ["laptop", "phone"]
            diff = phone.receive_json()
            assert diff["joins"][0]["metas"][0]["device"] == "laptop" and diff["leaves"] == []
            members = presence("r", app=client.app)
            assert len(members) == 1 and len(members[0]["metas"]) == 2
            with client.websocket_connect("/chat/r"):  # no identity: it listens, it is not a member
                assert names(presence("r", app=client.app)) == ["ann"]
        leave = phone.receive_json()  # the laptop disconnected: it leaves by itself
        assert leave["joins"] == [] and leave["leaves"][0]["metas"][0]["device"] == "laptop"
        assert len(presence("r", app=client.app)[0]["metas"]) == 1
    assert presence("r", app=client.app) == []


def test_leave_announces_and_stops_delivery(rt_client):
    client = rt_client()
    with client.websocket_connect("/chat/l?name=ann") as ann, client.websocket_connect("/chat/l?name=bob") as bob:
        receive_until(ann, lambda m: m.get("type") == "presence" and "bob" in names(m["joins"]))
        bob.send_json({"leave": True})
        left = receive_until(ann, lambda m: m.get("type") == "presence" and m["leaves"])
        assert names(left["leaves"]) == ["bob"]
        assert names(presence("l", app=client.app)) == ["ann"]


def test_authorize_refuses_a_join(rt_client):
    client = rt_client()
    with pytest.raises(WebSocketRejected):
        with client.websocket_connect("/chat/secret?name=eve") as ws:
            ws.receive_json()
    assert ws.close_code == 4403
    assert presence("secret", app=client.app) == []


def test_broadcast_from_sync_and_async_http_handlers(rt_client):
    client = rt_client()
    with client.websocket_connect("/chat/news?name=ann") as ann:
        ann.receive_json()
        response = client.post("/notify/news")
        assert response.status_code == 200, response.text
        message = receive_until(ann, is_chat)
        assert message == {"id": response.json()["id"], "text": "from a sync handler"}
        assert client.put("/notify/news").status_code == 200
        assert receive_until(ann, is_chat) == {"text": "from an async handler"}


def test_broadcast_outside_a_request(rt_client):
    """A plain call from code with no event loop (a script, ``wolfpy shell``)."""
    client = rt_client()
    with client.websocket_connect("/chat/ops?name=ann") as ann:
        ann.receive_json()
        sent = broadcast("ops", {"text": "deploy done"}, persist=True, app=client.app)
        assert receive_until(ann, is_chat) == sent == {"id": sent["id"], "text": "deploy done"}
        broadcast("ops", {"text": "no app= given: the app set up last"})
        assert receive_until(ann, is_chat)["text"].startswith("no app=")


def test_history_with_since_has_nothing_lost_nothing_twice(rt_client):
    client = rt_client()
    app = client.app
    ids = [broadcast("h", {"n": n}, persist=True, app=app)["id"] for n in range(10)]
    assert ids == sorted(ids) and len(set(ids)) == 10
    assert [m["n"] for m in history("h", limit=3, app=app)] == [7, 8, 9]
    assert [m["n"] for m in history("h", since=ids[4], app=app)] == [5, 6, 7, 8, 9]
    assert history("h", since=ids[-1], app=app) == []
    # A reconnecting socket asks for what came after the last id it saw.
    with client.websocket_connect(f"/chat/h?name=ann&since={ids[6]}") as ann:
        ann.receive_json()  # presence
        assert [ann.receive_json()["n"] for _ in range(3)] == [7, 8, 9]
    with pytest.raises(ValueError):
        broadcast("h", {"id": 1}, persist=True, app=app)
    with pytest.raises(TypeError):
        history("h", since="3", app=app)


def test_history_cap_and_retention(rt_client):
    app = rt_client('[realtime]\nhistory_max = 5\n').app
    for n in range(60):
        broadcast("cap", {"n": n}, persist=True, app=app)
    assert [m["n"] for m in history("cap", limit=100, app=app)] == [55, 56, 57, 58, 59]
    first = history("cap", limit=100, app=app)[0]["id"]
    # Asking from an old id gives no row past the cap, deleted or not yet.
    assert [m["n"] for m in history("cap", since=first - 40, app=app)] == [55, 56, 57, 58, 59]
    kept = app.database.execute_sql("SELECT COUNT(*) FROM wolfpy_realtime_message").fetchone()[0]
    assert kept <= 5 + 50  # old rows are removed every 50 writes

    old = rt_client('[realtime]\nhistory_retention = 1\n', files={}).app
    broadcast("old", {"n": 1}, persist=True, app=old)
    assert len(history("old", app=old)) == 1
    import time
    time.sleep(1.3)
    assert history("old", app=old) == []


@pytest.mark.parametrize("room", ["", "x" * 201, "a\nb", 3])
def test_bad_room_names_are_refused(rt_client, room):
    app = rt_client().app
    with pytest.raises(ValueError):
        broadcast(room, {"text": "x"}, app=app)


def test_persisting_in_a_handler_leaves_its_database_connection_open(rt_client):
    route = {"routes/txn.py": """
        from wolfpy.realtime import broadcast

        def post(request):
            db = request.app.database
            db.connect(reuse_if_open=True)
            with db.atomic():
                broadcast("t", {"n": 1}, persist=True)
                still_open = not db.is_closed()
            return {"open": still_open}
    """}
    client = rt_client(files=route)
    assert client.post("/txn").json() == {"open": True}
    assert [m["n"] for m in history("t", app=client.app)] == [1]


def test_an_identity_is_a_json_value(rt_client):
    route = {"routes/objects.py": """
        class User:
            pass

        async def websocket(ws):
            await ws.accept()
            try:
                await ws.join("o", identity=User())
            except TypeError as exc:
                await ws.send_json({"error": str(exc)})
    """}
    client = rt_client(files=route)
    with client.websocket_connect("/objects") as ws:
        assert "not the user object" in ws.receive_json()["error"]


def test_one_connection_has_a_bounded_number_of_rooms_and_a_bounded_meta(rt_client):
    # A handler that joins the rooms a client names let one socket join without end, and
    # a meta merged at each join grew too: every room's presence entry carried all of it.
    from wolfpy.realtime.websocket import MAX_META_BYTES, MAX_ROOMS_PER_CONNECTION

    route = {"routes/many.py": """
        async def websocket(ws):
            await ws.accept()
            async for message in ws.iter_json():
                try:
                    await ws.join(message["room"], identity="x", meta=message.get("meta"))
                except ValueError as exc:
                    await ws.send_json({"refused": str(exc), "rooms": len(ws.rooms)})
                    continue
                await ws.send_json({"rooms": len(ws.rooms), "meta": len(ws.meta)})
    """}
    client = rt_client("[security]\nwebsocket_max_messages_per_second = 1000000\n", files=route)

    def join(ws, room, meta=None):
        ws.send_json({"room": room, "meta": meta})
        while True:
            reply = ws.receive_json()
            if "rooms" in reply:
                return reply

    with client.websocket_connect("/many") as ws:
        big = {"k": "m" * MAX_META_BYTES}
        assert "refused" in join(ws, "first", big)
        grown = [join(ws, f"m{i}", {f"k{i}": "m" * 200}) for i in range(MAX_META_BYTES // 200)]
        assert "refused" in grown[-1] and all("refused" not in r for r in grown[:10])
        replies = [join(ws, f"r{i}") for i in range(MAX_ROOMS_PER_CONNECTION)]
        assert "refused" in replies[-1] and replies[-1]["rooms"] == MAX_ROOMS_PER_CONNECTION
        assert "refused" not in join(ws, "r1")     # a room it is in already is no new room
        ws.send_json({"room": "r0"})               # still served


@pytest.mark.parametrize("room", ["a" * 201, "%01", "%7F", "%C2%85", "%E2%80%A8"])
def test_a_room_name_that_is_not_one_is_a_refused_join_not_a_server_error(rt_client, room, caplog):
    # It closed with 1011 and logged a traceback; DEL, C1 controls and U+2028 were accepted.
    client = rt_client()
    with pytest.raises(WebSocketRejected):
        with client.websocket_connect(f"/chat/{room}?name=eve") as ws:
            ws.receive_json()
    assert ws.close_code == 4403
    assert "unhandled exception" not in caplog.text


def test_an_identity_too_large_from_the_url_is_a_refused_join(rt_client, caplog):
    client = rt_client()
    with pytest.raises(WebSocketRejected):
        with client.websocket_connect("/chat/lobby?name=" + "n" * 5000) as ws:
            ws.receive_json()
    assert ws.close_code == 4403 and "unhandled exception" not in caplog.text


def test_a_close_reason_is_cut_to_the_123_bytes_a_close_frame_holds():
    # A refused join's reason held up to 120 characters: a room name in another script
    # made it longer than a close frame allows, and uvicorn failed instead of closing.
    import asyncio

    from wolfpy.realtime.websocket import WebSocket

    class Transport:
        async def close(self, code, reason):
            self.sent = (code, reason)

    transport = Transport()
    asyncio.run(WebSocket(None, transport).close(4403, "é" * 120))
    assert transport.sent == (4403, "é" * 61)
