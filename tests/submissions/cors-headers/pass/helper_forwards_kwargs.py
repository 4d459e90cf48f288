# expect: pass
# note: computed settings are judged on the values the running app got
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")


def add_cors(target, **settings):
    target.add_middleware(CORSMiddleware, **settings)


add_cors(app, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
