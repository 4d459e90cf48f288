# expect: fail at allow-origin
# message: has a path. An origin is scheme, host and port only
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None

app.add_middleware(CORSMiddleware, allow_origins=["https://notes.example.com/app"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
