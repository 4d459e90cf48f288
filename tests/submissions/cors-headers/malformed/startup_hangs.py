# expect: fail at live-headers
# timeout: 2
# message: did not finish starting up
# steps: import=pass add-middleware=pass
import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware


@asynccontextmanager
async def lifespan(app):
    await asyncio.sleep(1000)  # waits for a database that never comes
    yield


app = FastAPI(lifespan=lifespan)
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return [{"id": 1, "title": "Welcome"}]
