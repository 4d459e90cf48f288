# expect: fail at add-middleware
# message: return
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")


def setup():
    return
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


setup()


@app.get("/notes")
def list_notes():
    return []
