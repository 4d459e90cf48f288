# expect: fail at add-middleware
# message: which is not the CORSMiddleware class
# steps: import=pass add-middleware=fail live-headers=pass
# Hostile: a hand-written middleware whose __module__ and __qualname__ say Starlette's
# CORSMiddleware, so the running app's own report names the real class. Its identity
# comes from the grader's reading of the file, where it is `Cors`.
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware  # imported, never used

app = FastAPI(title="Notes API")


class Cors:
    def __init__(self, app, **settings):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        asked = dict(scope["headers"])
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in asked:
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-methods", b"DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"),
                (b"access-control-allow-headers", asked.get(b"access-control-request-headers", b"")),
                (b"content-length", b"2"),
            ]})
            await send({"type": "http.response.body", "body": b"OK"})
            return

        async def with_cors(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"access-control-allow-origin", b"*")]
            await send(message)

        await self.app(scope, receive, with_cors)


Cors.__module__ = "starlette.middleware.cors"
Cors.__qualname__ = Cors.__name__ = "CORSMiddleware"
app.add_middleware(Cors, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
