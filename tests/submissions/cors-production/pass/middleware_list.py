# expect: pass
from fastapi import FastAPI
from fastapi.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

app = FastAPI(
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=["https://notes.example.com"],
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    ]
)


@app.get("/notes")
def list_notes() -> list[dict]:
    return []


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
