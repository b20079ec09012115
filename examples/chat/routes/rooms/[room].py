"""GET /rooms/<room>: the chat page. WebSocket /rooms/<room>: the room itself.

A socket joins the room as its signed-in user (one member per user, however many
tabs), gets the history it has not seen (``?since=ID`` after a reconnect) and then
every message as it is sent.
"""
from wolfpy import abort, render
from wolfpy.auth import login_required
from wolfpy.realtime import broadcast, history

ROOMS = ["lobby", "random", "staff"]
MAX_TEXT = 2000


@login_required
def get(request, room: str):
    if room not in ROOMS:
        abort(404)
    return render("chat.html", room=room, rooms=ROOMS, staff=bool(request.user.is_admin))


def authorize(ws, room):
    """Signed-in users only, in the rooms that exist; the staff room is for admins."""
    user = ws.user
    if user is None or room not in ROOMS:
        return False
    return room != "staff" or user.is_admin


async def websocket(ws, room: str):
    await ws.accept()
    await ws.join(room, identity=ws.user.username if ws.user else None)
    since = ws.query.get("since", "")
    for message in await history(room, limit=200, since=int(since) if since.isascii() and since.isdigit() else None):
        await ws.send_json(message)
    async for message in ws.iter_json():
        text = message.get("text") if isinstance(message, dict) else None
        if isinstance(text, str) and text.strip():
            await broadcast(room, {"from": ws.identity, "text": text.strip()[:MAX_TEXT]}, persist=True)
