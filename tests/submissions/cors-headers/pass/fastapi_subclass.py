# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware


class NotesAPI(FastAPI):
    """Our app, with a version banner."""

    banner = "Notes API v2"


app = NotesAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
