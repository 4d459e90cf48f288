# expect: pass
"""Notes API.

CORS: browsers block cross-origin reads unless the server allows them.
Tried first: app.add_middleware(CORSMiddleware, allow_origins="*")  <- wrong, needs a list
"""

from fastapi import FastAPI

# Step 1: the import (from fastapi import CORSMiddleware did not work)
from fastapi.middleware.cors import CORSMiddleware  # re-exported from Starlette

app = FastAPI(
    title="Notes API",  # shown in /docs
)

# Step 2: the middleware.
# app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:5173"])
app.add_middleware(
    CORSMiddleware,  # the class, not an instance
    allow_origins=["*"],  # any origin (fine for development)
    allow_methods=["*"],  # GET, POST, PUT, DELETE, ...
    allow_headers=["*"],  # Content-Type, Authorization, ...
)  # end of CORS setup


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
