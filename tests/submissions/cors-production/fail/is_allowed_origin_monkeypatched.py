# expect: fail at allow-origin
# message: cannot confirm this step
# steps: allow-origin=fail live-stranger=fail
# Hostile: CORSMiddleware itself is changed to let every origin in; the settings the running app
# reports still name the frontend alone.
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

FRONTEND = "https://notes.example.com"
app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None

CORSMiddleware.is_allowed_origin = lambda self, origin: True

app.add_middleware(
    CORSMiddleware,
    allow_origins=[origin for origin in [FRONTEND]],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
