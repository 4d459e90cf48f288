# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")

# (meant "__main__"; uvicorn imports this file as the module "main", so this runs)
if __name__ == "main":
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return []
