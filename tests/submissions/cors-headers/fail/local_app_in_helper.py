# expect: fail at add-middleware
# message: belongs to the function setup_cors()
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")


def setup_cors():
    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


setup_cors()


@app.get("/notes")
def list_notes():
    return []
