# expect: fail at import
# message: imports the module fastapi.middleware.cors, not the class
# steps: add-middleware=fail live-headers=fail
from fastapi import FastAPI
import fastapi.middleware.cors

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
