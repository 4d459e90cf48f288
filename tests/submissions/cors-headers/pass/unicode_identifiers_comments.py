# expect: pass
# -*- coding: utf-8 -*-
"""API de notas — «CORS» pour le navigateur. 日本語のコメント 🚀"""
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

todos_los_orígenes = ["*"]  # cualquier origen
métodos = ["*"]
заголовки = ["*"]

app = FastAPI(title="Заметки API ✓")
app.add_middleware(CORSMiddleware, allow_origins=todos_los_orígenes, allow_methods=métodos, allow_headers=заголовки)


@app.get("/notes")
def list_notes():
    return [{"id": 1, "title": "Ünïcödé"}]
