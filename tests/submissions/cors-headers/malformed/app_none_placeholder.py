# expect: fail at add-middleware
# message: app = None
# steps: import=pass live-headers=fail
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = None  # filled in below

notes_api = FastAPI()
notes_api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@notes_api.get("/notes")
def list_notes():
    return []
