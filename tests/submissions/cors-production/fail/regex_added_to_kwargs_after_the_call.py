# expect: fail at allow-origin
# message: allow_origin_regex
# steps: allow-origin=fail
# Hostile: the call on the page names the frontend alone; afterwards a regex that lets in every
# https site without "example" in its name (so not one of the grader's fixed probes) is added
# to the registration's settings, where CORSMiddleware reads them when the app starts.
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

app.add_middleware(
    CORSMiddleware,
    allow_origins=[FRONTEND],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.user_middleware[0].kwargs["allow_origin_regex"] = r"https://(?!.*example)[a-z0-9.-]+"
