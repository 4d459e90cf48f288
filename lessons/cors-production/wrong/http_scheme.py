# expect: fail at allow-origin
# message: uses http
# steps: credentials=pass live-frontend=fail
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return []


app.add_middleware(CORSMiddleware, allow_origins=["http://notes.example.com"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
