# expect: fail at live-headers
# timeout: 2
# message: uvicorn.run
# steps: import=pass add-middleware=pass
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []


# Port 0 keeps this sample deterministic; learners write port=8000.
uvicorn.run("main:app", host="127.0.0.1", port=0, reload=True)
