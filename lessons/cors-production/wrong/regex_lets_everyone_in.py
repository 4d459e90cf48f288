# expect: fail at allow-origin
# message: allow_origin_regex
# steps: credentials=pass live-frontend=pass live-stranger=fail
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return []


app.add_middleware(CORSMiddleware, allow_origins=["https://notes.example.com"], allow_origin_regex="https://.*", allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
