# expect: pass
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware as Cors

ANY = ("*",)
app = FastAPI()
app.add_middleware(Cors, allow_origins=ANY, allow_methods=("*",), allow_headers=["*"], max_age=60)
