# expect: pass
from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware

NOTES = {1: {"id": 1, "title": "Welcome"}}


def create_app() -> FastAPI:
    api = FastAPI(title="Notes API")
    api.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
    )

    @api.get("/notes")
    def list_notes() -> list[dict]:
        return list(NOTES.values())

    @api.delete("/notes/{note_id}", status_code=204)
    def delete_note(note_id: int) -> None:
        if NOTES.pop(note_id, None) is None:
            raise HTTPException(status_code=404, detail="Note not found")

    return api


app = create_app()
