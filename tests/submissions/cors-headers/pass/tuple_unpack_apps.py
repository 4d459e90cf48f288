# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app, admin = FastAPI(title="Notes API"), FastAPI(title="Admin")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
app.mount("/admin", admin)


@app.get("/notes")
def list_notes():
    return []
