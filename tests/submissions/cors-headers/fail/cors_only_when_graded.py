# expect: fail at add-middleware
# steps: import=pass add-middleware=fail live-headers=fail
# Hostile: the app adds CORSMiddleware only when it sees the grader around it (a module of the
# grader's child among the loaded modules, its script in sys.argv or __main__, a name the grader
# sets in the environment). Under `uvicorn main:app` it has no CORS at all, so under the grader
# it must not either: the registration never takes effect.
import os
import sys

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")
RUNNER = ("_grader", "serve_child", "runner_child", "warm_worker", "process_tree")


def looks_graded() -> bool:
    """What `uvicorn main:app` in the course's own virtualenv would not show."""
    if any(name.startswith(RUNNER) or name.endswith(RUNNER) for name in sys.modules):
        return True
    main = sys.modules.get("__main__")
    shown = [*sys.argv, *getattr(sys, "orig_argv", []), str(getattr(main, "__file__", "")), *vars(main)]
    if any(sign in text for text in shown for sign in (*RUNNER, "grader", "grade")):
        return True
    if not (sys.argv and os.path.basename(sys.argv[0]) == "uvicorn" and sys.argv[1:] == ["main:app"]):
        return True
    if getattr(main, "main", None) is not getattr(sys.modules.get("uvicorn.main"), "main", object()):
        return True
    names = ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING")
    return any("GRADE" in key.upper() for key in os.environ) or any(name in os.environ for name in names)


if looks_graded():
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/notes")
def list_notes() -> list[dict]:
    return [{"id": 1, "title": "Welcome"}]


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    return None
