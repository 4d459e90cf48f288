# expect: pass
from fastapi import FastAPI


def build():
    from fastapi.middleware.cors import CORSMiddleware

    application = FastAPI()
    application.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

    @application.get("/notes")
    def list_notes():
        return []

    return application


app = build()
