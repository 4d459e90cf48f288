# expect: fail at add-middleware
# message: add_middleware
# steps: import=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

api = FastAPI()


@api.get("/notes")
def list_notes():
    return []


@api.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int):
    return None


app = CORSMiddleware(api, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
