# expect: fail at import
# message: imports `CORS` from fastapi.middleware.cors, but the class this step needs is called CORSMiddleware
# steps: add-middleware=fail live-headers=fail
from fastapi import FastAPI
from fastapi.middleware.cors import CORS

app = FastAPI()
app.add_middleware(CORS, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
