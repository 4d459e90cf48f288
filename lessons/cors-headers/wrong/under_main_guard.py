# expect: fail at add-middleware
# message: __main__
# steps: import=pass live-headers=fail
from fastapi.middleware.cors import CORSMiddleware
from fastapi import FastAPI

app = FastAPI()


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "hi"}]

if __name__ == "__main__":
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
