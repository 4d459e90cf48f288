# expect: fail at add-middleware
# message: creates the app as `application`
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

application = FastAPI()
application.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@application.get("/notes")
def list_notes() -> list[dict]:
    return []