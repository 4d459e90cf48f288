# expect: fail at add-middleware
# message: cannot tell what allow_origins holds
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(
    CORSMiddleware,
    allow_origins=[o.strip() for o in "*".split(",")],
    allow_methods=["*"],
    allow_headers=["*"],
)
