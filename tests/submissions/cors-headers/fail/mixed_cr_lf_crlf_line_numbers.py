# expect: fail at add-middleware
# message: allow_methods allows only "GET" (line 12)
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
app = FastAPI(title="Notes API")

app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],    allow_methods=["GET"],
    allow_headers=["*"],
)
