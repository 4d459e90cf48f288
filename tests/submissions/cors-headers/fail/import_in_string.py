# expect: fail at import
# message: does not import CORSMiddleware
# steps: add-middleware=fail live-headers=fail
from fastapi import FastAPI

IMPORT = "from fastapi.middleware.cors import CORSMiddleware"

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
