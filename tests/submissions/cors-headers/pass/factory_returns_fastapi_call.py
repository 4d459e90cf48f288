# expect: pass
from fastapi import FastAPI
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware


def create_app() -> FastAPI:
    return FastAPI(
        title="Notes API",
        middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])],
    )


app = create_app()


@app.get("/notes")
def list_notes():
    return []
