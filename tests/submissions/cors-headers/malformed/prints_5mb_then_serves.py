# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

for number in range(50_000):
    print(f"debug line {number:06d}: " + "x" * 80)


@app.get("/notes")
def list_notes():
    return [{"id": 1, "title": "Welcome"}]
