# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

ALLOW_ALL: list[str] = ["*"]

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=ALLOW_ALL,
    allow_methods=ALLOW_ALL,
    allow_headers=ALLOW_ALL,
)


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
