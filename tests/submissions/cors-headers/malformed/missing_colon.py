# expect: fail at import
# message: syntax error on line 12
# steps: add-middleware=skip live-headers=skip
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes()
    return []
