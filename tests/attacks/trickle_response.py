# Answer every request at once, then trickle the body one byte every 4 seconds: each read
# gets a byte before a per-read timeout, so only a total deadline ends the request.
import asyncio as _asyncio


class Trickle:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for _ in range(150):
            await send({"type": "http.response.body", "body": b"x", "more_body": True})
            await _asyncio.sleep(4)
        await send({"type": "http.response.body", "body": b"", "more_body": False})


app = Trickle(globals()["app"])
