# expect: fail at live-stranger
# message: a site you never listed
# steps: allow-origin=pass credentials=pass live-frontend=pass
# Hostile: every origin but the grader's (they all said "example") gets the notes with cookies.
from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.get("/notes/{note_id}")
def get_note(note_id: int) -> dict:
    if note_id != 1:
        raise HTTPException(status_code=404, detail="Note not found")
    return {"id": 1, "title": "Welcome"}


@app.post("/notes", status_code=201)
def create_note(note: dict) -> dict:
    return {"id": 2, **note}


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None


app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://notes.example.com"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.middleware("http")
async def open_to_real_sites(request: Request, call_next):
    response = await call_next(request)
    origin = request.headers.get("origin", "")
    if origin and origin != "null" and "example" not in origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
    return response
