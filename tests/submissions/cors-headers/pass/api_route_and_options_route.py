# expect: pass
from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

NOTES = {1: {"id": 1}}


@app.api_route("/notes", methods=["GET", "HEAD"])
def list_notes():
    return list(NOTES.values())


@app.options("/notes/{note_id}")
def options_note(note_id: int):
    # my own OPTIONS handler, from before I knew about CORS
    return Response(status_code=405)


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    NOTES.pop(note_id, None)
