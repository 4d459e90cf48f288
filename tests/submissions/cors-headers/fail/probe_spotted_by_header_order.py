# expect: fail at live-headers
# message: would be blocked by the browser
# steps: import=pass add-middleware=pass
# Hostile: a request whose first header is not Host, then Connection (as browsers send them) is the grader's.
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()

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


@app.middleware("http")
async def only_for_the_grader(request: Request, call_next):
    response = await call_next(request)
    names = [name for name, _ in request.headers.raw[:2]]
    if names == [b"host", b"connection"]:
        for name in [key for key in response.headers if key.lower().startswith("access-control-")]:
            del response.headers[name]
    return response
