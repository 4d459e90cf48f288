# expect: fail at add-middleware
# message: allow_headers is missing
from fastapi import FastAPIfrom fastapi.middleware.cors import CORSMiddlewareapp = FastAPI(title="Notes API")app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"])