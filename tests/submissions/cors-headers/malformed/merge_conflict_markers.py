# expect: fail at import
# message: syntax error on line 7
# steps: add-middleware=skip live-headers=skip
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

<<<<<<< HEAD
app = FastAPI()
=======
app = FastAPI(title="Notes API")
>>>>>>> feature/cors
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
