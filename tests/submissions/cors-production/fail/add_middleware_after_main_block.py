# expect: fail at allow-origin
# message: below the `if __name__ == "__main__":` block
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=8000)

app.add_middleware(CORSMiddleware, allow_origins=["https://notes.example.com"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
