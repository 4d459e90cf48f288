# expect: pass
import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

logging.basicConfig(level=logging.DEBUG)
log = logging.getLogger("notes")

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
for m in app.user_middleware:
    log.warning("middleware: %r", m)


@app.get("/notes")
def list_notes():
    log.debug("listing notes")
    return []
