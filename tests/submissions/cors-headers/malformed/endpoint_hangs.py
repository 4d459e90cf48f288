# expect: fail at live-headers
# message: did not answer GET /notes
# steps: import=pass add-middleware=pass
import time

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    time.sleep(1000)
    return []
