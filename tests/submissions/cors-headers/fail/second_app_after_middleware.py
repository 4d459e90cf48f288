# expect: fail at add-middleware
# message: creates a second app, which replaces the one from line
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return []
