# expect: pass
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

router = APIRouter(prefix="/notes", tags=["notes"])


@router.get("")
def list_notes():
    return [{"id": 1, "title": "Welcome"}]


@router.delete("/{note_id}", status_code=204)
def delete_note(note_id: int):
    return None


app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
app.include_router(router)
