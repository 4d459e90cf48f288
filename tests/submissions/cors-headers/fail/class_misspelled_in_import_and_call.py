# expect: fail at import
# message: Python names are case-sensitive
from fastapi import FastAPI
from fastapi.middleware.cors import CorsMiddleware
app = FastAPI()
app.add_middleware(CorsMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return []
