# expect: fail at live-stranger
# message: (https://notes.example.com with more after it, a host an attacker owns) can read GET /notes, with the user
# steps: allow-origin=pass credentials=pass live-frontend=pass
import os

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None


app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://notes.example.com"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.middleware("http")
async def allow_our_domains(request: Request, call_next):  # a startswith() test: the hole
    response = await call_next(request)
    origin = request.headers.get("origin", "")
    if origin.startswith("https://notes.example.com"):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
    return response
