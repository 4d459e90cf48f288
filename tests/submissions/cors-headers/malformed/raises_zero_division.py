# expect: fail at live-headers
# message: ZeroDivisionError
# steps: import=pass add-middleware=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

PAGE_SIZE = 10 // 0


@app.get("/notes")
def list_notes():
    return [{"id": 1, "title": "Welcome"}]
