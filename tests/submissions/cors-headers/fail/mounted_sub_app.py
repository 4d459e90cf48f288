# expect: fail at add-middleware
# message: adds CORSMiddleware to `api`
# steps: import=pass live-headers=fail
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
api = FastAPI()
api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@api.get("/items")
def items():
    return []


app.mount("/api", api)


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
