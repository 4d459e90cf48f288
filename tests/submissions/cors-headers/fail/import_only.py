# expect: fail at add-middleware
# message: does not add CORSMiddleware
# steps: import=pass live-headers=fail
from fastapi.middleware.cors import CORSMiddleware
from fastapi import FastAPI

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "hi"}]

