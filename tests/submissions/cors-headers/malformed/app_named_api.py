# expect: fail at add-middleware
# message: creates the app as `api`, but uvicorn serves the variable named `app`
# steps: import=pass live-headers=fail
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

api = FastAPI()
api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@api.get("/notes")
def list_notes():
    return []
