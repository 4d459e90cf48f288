# expect: fail at add-middleware
# message: Middleware(CORSMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API", middleware=[CORSMiddleware])


@app.get("/notes")
def list_notes():
    return []
