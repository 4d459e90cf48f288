# expect: fail at add-middleware
# message: did you mean allow_origins?
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allowed_origins=["*"], allowed_methods=["*"], allowed_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
