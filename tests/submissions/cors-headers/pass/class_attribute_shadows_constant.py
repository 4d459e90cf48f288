# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

ORIGINS = ["*"]


class ProductionSettings:
    """For the next lesson: only our own frontend."""

    ORIGINS = ["https://notes.example.com"]


app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
