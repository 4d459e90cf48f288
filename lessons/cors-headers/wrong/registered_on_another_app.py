# expect: fail at add-middleware
# message: adds CORSMiddleware to `api`
# steps: import=pass live-headers=fail
from fastapi.middleware.cors import CORSMiddleware
from fastapi import FastAPI

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "hi"}]

api = FastAPI()
api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
