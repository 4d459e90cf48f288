# expect: pass
import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

TITLE = os.environ.get("NOTES_TITLE", "Notes API")
PORT = int(os.getenv("PORT", "8000"))
DEBUG = os.getenv("DEBUG", "0") == "1"

app = FastAPI(title=TITLE, debug=DEBUG)
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
