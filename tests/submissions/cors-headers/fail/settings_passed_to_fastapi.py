# expect: fail at add-middleware
# message: gives allow_origins to FastAPI() itself
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(
    title="Notes API",
    allow_origins=["*"],
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.get("/notes")
def list_notes():
    return []
