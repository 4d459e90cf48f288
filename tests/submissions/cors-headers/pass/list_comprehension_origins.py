# expect: pass
# note: computed settings are judged on the values the running app got
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
app.add_middleware(
    CORSMiddleware,
    allow_origins=[o.strip() for o in "*".split(",")],
    allow_methods=["*"],
    allow_headers=["*"],
)
