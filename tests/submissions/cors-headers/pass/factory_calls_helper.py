# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware


def setup_cors(application: FastAPI) -> None:
    application.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


def create_app() -> FastAPI:
    application = FastAPI()
    setup_cors(application)

    @application.get("/notes")
    def list_notes():
        return []

    return application


app = create_app()
