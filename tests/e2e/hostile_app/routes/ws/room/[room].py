"""WS /ws/room/{room}: joins the room the URL names (a name that is not a room's is a refused join)."""


async def websocket(ws, room: str):
    await ws.accept()
    await ws.join(room)
    await ws.send_json({"joined": room})
    async for _ in ws.iter_text():
        pass
