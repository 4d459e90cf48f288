# expect: pass
from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
	CORSMiddleware,
	allow_origins=["*"],
	allow_methods=["*"],
	allow_headers=["*"],
)

notes = {1: {"id": 1, "title": "Welcome"}}


@app.get("/notes")
def list_notes():
	return list(notes.values())


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int):
	if note_id not in notes:
		raise HTTPException(status_code=404, detail="Note not found")
	del notes[note_id]
