# expect: fail at add-middleware
# message: allow_headers is missing
from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

app = FastAPI(
    title="Notes API",
    middleware=[
        Middleware(CORSMiddleware, ["*"], ["*"]),
    ],
)


@app.get("/notes")
def list_notes():
    return []
