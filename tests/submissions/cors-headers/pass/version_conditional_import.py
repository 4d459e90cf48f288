# expect: pass
import sys

from fastapi import FastAPI

if sys.version_info >= (3, 8):
    from fastapi.middleware.cors import CORSMiddleware as Cors
else:  # pragma: no cover
    from starlette.middleware.cors import CORSMiddleware as Cors

app = FastAPI(title="Notes API")
app.add_middleware(Cors, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
