# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

application = FastAPI(title="Notes API")
application.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_methods=["*"],
    allow_headers=["*"],
)


@application.get("/notes")
def list_notes():
    return []


app = application  # uvicorn main:app
