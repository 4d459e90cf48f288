# expect: pass
import signal

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

signal.signal(signal.SIGTERM, signal.SIG_IGN)  # "so the server never dies"
signal.signal(signal.SIGINT, signal.SIG_IGN)

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
