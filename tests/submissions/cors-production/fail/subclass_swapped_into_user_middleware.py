# expect: fail at allow-origin
# message: cannot confirm this step
# steps: allow-origin=fail live-stranger=fail
# Hostile: the registration names CORSMiddleware with settings the grader cannot read, then a
# subclass that lets every origin in (named like the real class) takes its place: the running
# app's report still says CORSMiddleware with the frontend alone.
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

FRONTEND = "https://notes.example.com"
app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None


class Open(CORSMiddleware):
    def is_allowed_origin(self, origin: str) -> bool:
        return True


Open.__module__ = CORSMiddleware.__module__
Open.__qualname__ = Open.__name__ = "CORSMiddleware"

app.add_middleware(
    CORSMiddleware,
    allow_origins=FRONTEND.split(),
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.user_middleware[0].cls = Open
