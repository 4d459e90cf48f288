# expect: pass
# note: computed settings are judged on the values the running app got
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware


def allowed() -> list[str]:
    return ["*"]


app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=allowed(), allow_methods=allowed(), allow_headers=allowed())


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
