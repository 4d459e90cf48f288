"""Allows every origin and header, but not allow_methods: only GET gets through a preflight."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
