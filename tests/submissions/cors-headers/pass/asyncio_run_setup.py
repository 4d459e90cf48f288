# expect: pass
import asyncio

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")


async def setup():
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


asyncio.run(setup())


@app.get("/notes")
def list_notes():
    return []
