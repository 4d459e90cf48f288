# expect: fail at add-middleware
# message: cannot tell what allow_methods holds
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=list("*"), allow_headers=tuple(["*"]))
