# expect: fail at live-headers
# message: EOFError
# steps: import=pass add-middleware=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

admin_name = input("Admin name: ")


@app.get("/notes")
def list_notes():
    return [{"id": 1, "title": "Welcome"}]
