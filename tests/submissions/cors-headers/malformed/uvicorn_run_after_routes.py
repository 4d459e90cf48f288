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
    return [{"id": 1, "title": "Welcome"}]


uvicorn.run(app, host="127.0.0.1", port=0, log_level="warning")
