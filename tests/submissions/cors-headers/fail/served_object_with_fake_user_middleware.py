# expect: fail at add-middleware
# steps: import=pass add-middleware=fail live-headers=pass
# Hostile: the served object is not a FastAPI app but a hand-written one whose
# `user_middleware` lists a CORSMiddleware it never runs; it sets the headers by hand.
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware

api = FastAPI(title="Notes API")


@api.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@api.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None


class Served:
    user_middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])]

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
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

        await self.inner(scope, receive, with_cors)


app = Served(api)
