# expect: fail at live-headers
# message: ValueError: NOTES_PAGE_SIZE must be positive
# steps: import=pass add-middleware=pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

for number in range(20_000):
    print(f"loading note {number}: " + "." * 90)

raise ValueError("NOTES_PAGE_SIZE must be positive")
