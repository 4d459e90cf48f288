# expect: fail at import
# message: imports CORSMiddleware from `fastapi.middlewares.cors`
# steps: add-middleware=fail live-headers=fail
from fastapi import FastAPI
from fastapi.middlewares.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
