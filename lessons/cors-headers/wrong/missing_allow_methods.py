# expect: fail at add-middleware
# message: allow_methods is missing
# steps: import=pass live-headers=fail
from fastapi.middleware.cors import CORSMiddleware
from fastapi import FastAPI

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "hi"}]

app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_headers=["*"])
