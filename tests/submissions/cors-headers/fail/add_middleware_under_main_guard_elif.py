# expect: fail at add-middleware
# message: __main__
import sys

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")

if len(sys.argv) > 5:
    pass
elif __name__ == "__main__":
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
