# expect: pass
import warnings

from fastapi import FastAPI

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
with warnings.catch_warnings():
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
