# expect: fail at add-middleware
# message: AttributeError
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

router = APIRouter()
router.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@router.get("/notes")
def list_notes():
    return []


app = FastAPI(title="Notes API")
app.include_router(router)
