# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import (CORSMiddleware)

app = (FastAPI(title=("Notes API")))
((app)).add_middleware(
    (CORSMiddleware),
    allow_origins=(["*"]),
    allow_methods=((("*",))),
    allow_headers=[("*")],
)


@app.get("/notes")
def list_notes():
    return []
