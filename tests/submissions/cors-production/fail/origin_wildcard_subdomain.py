# expect: fail at allow-origin
# message: is not a pattern
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None

app.add_middleware(CORSMiddleware, allow_origins=["https://*.example.com"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
