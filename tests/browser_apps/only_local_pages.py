"""Hostile: CORS for the grader only. A request from a browser (Sec-Fetch-*) gets CORS headers
only when its page is on 127.0.0.1 or localhost, where the grader's page used to be."""

from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None


def without_cors(response):
    for name in [key for key in response.headers if key.lower().startswith("access-control-")]:
        del response.headers[name]
    return response


@app.middleware("http")
async def only_local_pages(request: Request, call_next):
    response = await call_next(request)
    page = urlsplit(request.headers.get("origin", "")).hostname
    if "sec-fetch-mode" in request.headers and page not in {"127.0.0.1", "localhost"}:
        return without_cors(response)
    return response
