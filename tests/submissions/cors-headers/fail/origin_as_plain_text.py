# expect: fail at add-middleware
# message: allow_origins is the text "http://localhost:5173"
# steps: import=pass live-headers=fail
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins="http://localhost:5173", allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
