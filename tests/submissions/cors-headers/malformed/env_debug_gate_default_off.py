# expect: fail at add-middleware
# message: never took effect
import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

DEBUG = os.getenv("DEBUG", "0") == "1"

app = FastAPI(title="Notes API")
if DEBUG:
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
