"""Hostile: CORS for the grader only. A browser gets CORS headers only when it says it is
headless Chromium, as the grader's used to; a request without Sec-Fetch-* is a script."""


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
async def only_headless_browsers(request: Request, call_next):
    response = await call_next(request)
    headless = "HeadlessChrome" in request.headers.get("user-agent", "")
    if "sec-fetch-mode" in request.headers and not headless:
        return without_cors(response)
    return response
