# expect: fail at live-headers
# message: Line 55 declares `-> Note` on delete_note(), whose route (line 54) answers with status 204
# steps: import=pass add-middleware=pass
"""Notes API: the small service you built in the earlier chapters."""

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

app = FastAPI(title="Notes API")

# Let pages on any origin call this API from a browser.
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_methods=["*"],
    allow_headers=["*"],
)


class NoteIn(BaseModel):
    title: str
    body: str = ""


class Note(NoteIn):
    id: int


notes: dict[int, Note] = {
    1: Note(id=1, title="Welcome", body="Your first note lives here."),
}


@app.get("/notes")
def list_notes() -> list[Note]:
    return list(notes.values())


@app.get("/notes/{note_id}")
def get_note(note_id: int) -> Note:
    if note_id not in notes:
        raise HTTPException(status_code=404, detail="Note not found")
    return notes[note_id]


@app.post("/notes", status_code=201)
def create_note(note: NoteIn) -> Note:
    new_id = max(notes, default=0) + 1
    notes[new_id] = Note(id=new_id, **note.model_dump())
    return notes[new_id]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> Note:
    if notes.pop(note_id, None) is None:
        raise HTTPException(status_code=404, detail="Note not found")
