# expect: fail at add-middleware
# message: lifespan
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
    yield


app = FastAPI(title="Notes API", lifespan=lifespan)


@app.get("/notes")
def list_notes():
    return []
