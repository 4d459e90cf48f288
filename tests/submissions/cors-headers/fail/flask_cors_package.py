# expect: fail at import
# message: does not import CORSMiddleware
# steps: add-middleware=fail live-headers=fail
from fastapi import FastAPI
from flask_cors import CORS

app = FastAPI()
CORS(app)


@app.get("/notes")
def list_notes():
    return []
