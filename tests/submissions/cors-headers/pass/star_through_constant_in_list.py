# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

ANY = "*"

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=[ANY], allow_methods=[ANY], allow_headers=[ANY])


@app.get("/notes")
def list_notes():
    return []
