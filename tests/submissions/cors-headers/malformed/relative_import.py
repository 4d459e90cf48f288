# expect: fail at live-headers
# message: ImportError
# steps: import=pass add-middleware=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

from .models import Note


@app.get("/notes")
def list_notes():
    return [{"id": 1, "title": "Welcome"}]
