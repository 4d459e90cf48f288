# expect: fail at import
# message: does not import CORSMiddleware
# steps: add-middleware=fail live-headers=fail
from fastapi import FastAPI

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "hi"}]

