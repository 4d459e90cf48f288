# expect: fail at live-headers
# message: would get an error instead of the answer
# steps: import=pass add-middleware=pass
# Hostile: preflights say yes, but the call that follows (what the browser then sends) gets no CORS headers.
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()

app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None


@app.middleware("http")
async def only_preflights(request: Request, call_next):
    response = await call_next(request)
    if request.method not in {"GET", "OPTIONS"}:
        for name in [key for key in response.headers if key.lower().startswith("access-control-")]:
            del response.headers[name]
    return response
