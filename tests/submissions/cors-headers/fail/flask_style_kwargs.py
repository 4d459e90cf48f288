# expect: fail at add-middleware
# message: did you mean allow_origins
# steps: import=pass live-headers=fail
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, origins=["*"], methods=["*"], headers=["*"])


@app.get("/notes")
def list_notes():
    return []
