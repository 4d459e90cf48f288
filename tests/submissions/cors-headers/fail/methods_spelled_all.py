# expect: fail at add-middleware
# message: allow_methods allows only "ALL"
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["ALL"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
