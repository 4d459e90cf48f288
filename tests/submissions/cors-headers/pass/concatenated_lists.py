# expect: pass
# note: computed settings are judged on the values the running app got
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

LOCAL = ["http://localhost:5173"]
app = FastAPI(title="Notes API")
app.add_middleware(CORSMiddleware, allow_origins=LOCAL + ["*"], allow_methods=["*"], allow_headers=["*"])
