# expect: fail at live-headers
# timeout: 2
# message: calls uvicorn.run(...) while
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
uvicorn.run(app, host="127.0.0.1", port=0)
