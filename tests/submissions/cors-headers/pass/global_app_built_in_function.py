# expect: pass
import os

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

app = None


def build() -> None:
    global app
    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


build()

@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None


