# expect: fail at live-headers
# message: calls uvicorn.run(...) while
# steps: import=pass add-middleware=pass
import socket

import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []


# Stands in for the learner's own `uvicorn main:app` still holding port 8000 in another
# terminal: the uvicorn.run below cannot bind its port and stops Python.
_busy = socket.socket()
_busy.bind(("127.0.0.1", 0))
_busy.listen()
uvicorn.run(app, host="127.0.0.1", port=_busy.getsockname()[1])
