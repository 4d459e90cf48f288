# expect: pass
import asyncio

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

NOTES = {1: {"id": 1, "title": "Welcome"}}


@app.get("/notes")
async def list_notes():
    await asyncio.sleep(0)
    return list(NOTES.values())


@app.delete("/notes/{note_id}", status_code=204)
async def delete_note(note_id: int) -> None:
    if NOTES.pop(note_id, None) is None:
        raise HTTPException(status_code=404, detail="Note not found")
