# expect: fail at live-headers
# message: crashed while answering GET /notes
# steps: import=pass add-middleware=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

notes = {1: {"id": 1, "title": "Welcome"}}


@app.get("/notes")
def list_notes():
    return [notes[0]]
