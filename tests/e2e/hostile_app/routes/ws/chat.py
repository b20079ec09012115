"""WS /ws/chat: for signed-in users only (the session cookie of the handshake)."""


async def websocket(ws):
    if ws.user is None:
        return                      # refused: sign in first
    await ws.accept()
    await ws.send_json({"hello": ws.user.username})
    async for message in ws.iter_json():
        text = message.get("text", "") if isinstance(message, dict) else ""
        await ws.send_json({"from": ws.user.username, "text": str(text)[:1000]})
