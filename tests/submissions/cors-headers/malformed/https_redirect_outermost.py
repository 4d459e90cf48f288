# expect: fail at live-headers
# message: 307
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.httpsredirect import HTTPSRedirectMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
app.add_middleware(HTTPSRedirectMiddleware)  # production-ready!


@app.get("/notes")
def list_notes():
    return []
