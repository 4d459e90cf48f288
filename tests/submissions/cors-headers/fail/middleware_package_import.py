# expect: fail at import
# message: fastapi.middleware.cors
# steps: live-headers=fail
from fastapi import FastAPI, middleware

app = FastAPI()
app.add_middleware(middleware.cors.CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
