# expect: fail at add-middleware
# message: allow_methods is the text "GET, DELETE", not a list: CORSMiddleware writes the Access-Control-Allow-Methods header by joining
# steps: import=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods="GET, DELETE", allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
