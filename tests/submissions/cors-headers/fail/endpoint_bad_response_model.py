# expect: fail at live-headers
# message: crashed
# steps: import=pass add-middleware=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


class Note(BaseModel):
    id: int
    title: str


@app.get("/notes")
def list_notes() -> list[Note]:
    return [{"id": "one", "text": "the field is called title"}]
