# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware


def add_cors(target):
    target.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
    return target


app = add_cors(FastAPI())


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
