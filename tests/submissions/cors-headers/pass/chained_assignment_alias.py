# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = api = FastAPI(title="Notes API")
api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@api.get("/notes")
def list_notes():
    return []
