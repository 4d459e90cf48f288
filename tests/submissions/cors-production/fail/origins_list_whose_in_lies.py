# expect: fail at allow-origin
# message: cannot confirm this step
# steps: allow-origin=fail live-stranger=fail
# Hostile: a list subclass whose `in` answers yes to everything ("*" included), so every origin
# gets in; the running app's report shows it as the plain list [FRONTEND].
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


class Origins(list):
    def __contains__(self, item: object) -> bool:
        return True


app.add_middleware(
    CORSMiddleware,
    allow_origins=Origins([FRONTEND]),
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
