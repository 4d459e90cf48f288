# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

EVERYTHING = "*",  # a one-item tuple

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=EVERYTHING, allow_methods=EVERYTHING, allow_headers=EVERYTHING)


@app.get("/notes")
def list_notes():
    return []
