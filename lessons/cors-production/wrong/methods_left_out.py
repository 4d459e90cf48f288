# expect: fail at live-frontend
# message: DELETE
# steps: allow-origin=pass credentials=pass live-stranger=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return []


app.add_middleware(CORSMiddleware, allow_origins=["https://notes.example.com"], allow_credentials=True, allow_headers=["*"])
