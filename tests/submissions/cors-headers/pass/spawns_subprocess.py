# expect: pass
import subprocess

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

# start a helper worker next to the API
subprocess.Popen(["sleep", "300"], start_new_session=True)

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
