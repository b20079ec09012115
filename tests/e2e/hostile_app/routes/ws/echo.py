"""WS /ws/echo: JSON messages in, {"from": <the server's name for this socket>, "text": ...} out.

{"burst": n} asks for n messages at once (a server push, for disconnects mid-stream).
"""
import itertools

_ids = itertools.count(1)


async def websocket(ws):
    await ws.accept()
    me = f"guest-{next(_ids)}"
    async for message in ws.iter_json():
        if not isinstance(message, dict):
            await ws.send_json({"error": "expected a JSON object"})
            continue
        burst = message.get("burst")
        if isinstance(burst, int) and not isinstance(burst, bool):
            for seq in range(min(burst, 10_000)):
                await ws.send_json({"seq": seq, "pad": "x" * 200})
            continue
        await ws.send_json({"from": me, "text": str(message.get("text", ""))[:1000]})
