# expect: pass
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

notes: dict[int, dict] = {}


@asynccontextmanager
async def lifespan(app: FastAPI):
    notes[1] = {"id": 1, "title": "Loaded at startup"}
    yield
    notes.clear()


app = FastAPI(lifespan=lifespan)
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
async def list_notes():
    return list(notes.values())
