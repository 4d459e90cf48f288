# expect: fail at live-headers
# message: sys.exit()
# steps: import=pass add-middleware=pass
import sys

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return [{"id": 1, "title": "Welcome"}]


sys.exit(0)
