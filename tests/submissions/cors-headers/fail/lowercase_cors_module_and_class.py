# expect: fail at import
# message: spelled `CORSMiddleware`
from fastapi import FastAPI
from fastapi.middleware.cors import corsmiddleware

app = FastAPI(title="Notes API")
app.add_middleware(corsmiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
