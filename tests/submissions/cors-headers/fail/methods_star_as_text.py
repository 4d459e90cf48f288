# expect: fail at add-middleware
# message: allow_methods is the text "*", not a list. It happens to work, because CORSMiddleware only asks whether "*" is in it; any other text goes wrong: CORSMiddleware writes the Access-Control-Allow-Methods
# steps: import=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods="*", allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
