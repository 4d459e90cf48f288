# expect: fail at import
# message: line 6
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

# Let the teammate’s page call us “from anywhere”
app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
