# expect: fail at add-middleware
# message: adds CORSMiddleware to `api`
# steps: import=pass live-headers=fail
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

api = FastAPI()
api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

app = FastAPI()
app.mount("/api", api)


@app.get("/notes")
def list_notes():
    return []
