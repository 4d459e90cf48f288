# expect: fail at add-middleware
# message: Python stops with a TypeError
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return []
