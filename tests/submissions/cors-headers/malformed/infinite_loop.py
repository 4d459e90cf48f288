# expect: fail at live-headers
# timeout: 2
# message: did not finish loading within 2 seconds
# steps: import=pass add-middleware=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return [{"id": 1, "title": "Welcome"}]


counter = 0
while True:
    counter += 1
