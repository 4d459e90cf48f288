# expect: fail at add-middleware
# message: allow_methods allows only "get", "post", "put", "delete" (line 8), not every method; and "put" is in lower case, which never matches: CORSMiddleware compares method names exactly, and browsers send them in capitals ("PUT")
# steps: import=pass live-headers=fail
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["get", "post", "put", "delete"], allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
