# expect: fail at live-headers
# message: RecursionError
# steps: import=pass add-middleware=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


def load_notes(page=0):
    return load_notes(page + 1)


NOTES = load_notes()
