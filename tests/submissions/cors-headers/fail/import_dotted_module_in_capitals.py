# expect: fail at import
# message: is written `fastapi.middleware.cors`
# steps: add-middleware=fail live-headers=fail
from fastapi import FastAPI
import fastapi.middleware.CORS

app = FastAPI()
app.add_middleware(fastapi.middleware.CORS.CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
