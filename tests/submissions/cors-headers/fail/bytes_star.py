# expect: fail at add-middleware
# message: expects a list of strings
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=[b"*"], allow_methods=["*"], allow_headers=["*"])
