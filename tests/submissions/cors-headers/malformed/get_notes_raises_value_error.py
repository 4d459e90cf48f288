# expect: fail at live-headers
# message: crashed while answering GET /notes
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

NOTES = [{"id": 1, "title": "Welcome"}]


@app.get("/notes")
async def list_notes():
    return [note for note in NOTES if int(note["title"]) > 0]


@app.delete("/notes/{note_id}", status_code=204)
async def delete_note(note_id: int) -> None:
    return None
