# expect: pass
import sys
import threading
import time

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

print("Notes API: loading (this goes to stderr)", file=sys.stderr)


def heartbeat():
    while True:
        time.sleep(0.2)
        print("tick", file=sys.stderr, flush=True)


threading.Thread(target=heartbeat).start()  # not a daemon: keeps running forever

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
