# expect: fail at live-headers
# message: with the message "This API needs Python 3.20"
# steps: import=pass add-middleware=pass
import sys

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

if sys.version_info < (3, 20):
    sys.exit("This API needs Python 3.20")


@app.get("/notes")
def list_notes():
    return [{"id": 1, "title": "Welcome"}]
