# expect: pass
"""API de notas: les notes de l'équipe, 笔记, заметки. ✓"""
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notizen-API für alle Ursprünge")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes():
    return [{"id": 1, "title": "Café ☕"}]
