# expect: fail at add-middleware
# message: a one-item tuple needs a comma
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
# tuples, like the tutorial said "a list or a tuple"
app.add_middleware(CORSMiddleware, allow_origins=("*"), allow_methods=("*",), allow_headers=("*",))


@app.get("/notes")
def list_notes():
    return []
