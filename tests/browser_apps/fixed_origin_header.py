"""Writes the CORS headers by hand, always naming one frontend, whoever asks."""

from fastapi import FastAPI, Request, Response

app = FastAPI(title="Notes API")
FRONTEND = "https://notes.example.com"


@app.middleware("http")
async def cors_by_hand(request: Request, call_next):
    if request.method == "OPTIONS":
        response = Response(status_code=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    else:
        response = await call_next(request)
    response.headers["Access-Control-Allow-Origin"] = FRONTEND
    return response


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
