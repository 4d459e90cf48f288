"""`lessons verify` cannot be fooled: each guarantee is tried with the lesson that would
slip past it (a check that never fails, a mutant it must make, a correct alternative)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_command

CRASHES_AT_IMPORT = '''# expect: fail at live-health
# message: could not start
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


raise RuntimeError("the app never starts")
'''


def make_vacuous(course: Path, line: str) -> None:
    """The check holding `line` returns at once: it never fails, whatever it is given."""
    checks = course / "lessons/health/checks.py"
    text = checks.read_text()
    assert line in text
    checks.write_text(text.replace(line, "    return 'vacuous'\n" + line, 1))


def test_a_live_check_that_never_fails_is_refused_even_when_a_sample_stops_the_app(scaffolded: Path) -> None:
    # The sample fails the live step only because the app never starts: the engine fails it,
    # the check is never asked. That proves nothing about the check.
    (scaffolded / "lessons/health/wrong/crashes.py").write_text(CRASHES_AT_IMPORT)
    honest = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert honest.code == 0, honest.stdout + honest.stderr
    make_vacuous(scaffolded, "    response = app.expect(")
    # Every mutant left is caught by the static step, so only the proof of the live step is at stake.
    solution = scaffolded / "solution/health/main.py"
    spared = solution.read_text().replace('    return {"status": "ok"}\n', '    return {"status": "ok"}  # lessons: no-mutant\n')
    solution.write_text(spared)
    meta = scaffolded / "lessons/health/lesson.toml"
    meta.write_text(meta.read_text().replace('starter_fails_at = ["route", "live-health"]', 'starter_fails_at = ["route"]'))
    run = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert run.code == 1, run.stdout
    assert "step live-health: is never shown to fail" in run.stdout
    assert "an app that cannot start fails every live step" in run.stdout


STARTER = """\
from fastapi import FastAPI

app = FastAPI()
"""

GUARDED = '''\
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import APIKeyHeader

API_KEY = "secret"
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)

app = FastAPI()


def verify_key(key: str | None = Depends(api_key_header)) -> None:
    """Refuse requests without the key."""
    # a comment
    if key is None or key != API_KEY:
        raise HTTPException(status_code=401, detail="Missing or wrong API key")


@app.post("/notes", status_code=201, dependencies=[Depends(verify_key)])
def add_note() -> dict[str, bool]:
    return {"ok": True}


@app.get("/ready")
def ready() -> bool:
    return True
'''


def test_mutants_change_logic_and_never_docstrings() -> None:
    from grader.author.mutants import mutants_of

    made = [mutant.description for mutant in mutants_of(GUARDED, STARTER)]
    for expected in (
        'line 4: `API_KEY` set to "mutant.example" instead',
        'line 5: in `api_key_header = ...`: name="mutant.example"',
        "`raise HTTPException(status_code=401, detail=\"Missing or wrong API key\")` removed from verify_key()",
        "`key != API_KEY` turned into `key == API_KEY` in verify_key()",
        "`key is None` turned into `key is not None` in verify_key()",
        "`key is None or key != API_KEY` turned into `key is None and key != API_KEY` in verify_key()",
        "in @app.post(...): status_code=202",
        "in @app.post(...): dependencies= removed",
        "`return True` returns False instead",
    ):
        assert any(expected in description for description in made), (expected, made)
    assert not any("Refuse requests" in description or "a comment" in description for description in made), made


def test_a_correct_alternative_that_a_check_refuses_is_reported(scaffolded: Path) -> None:
    other = scaffolded / "lessons/health/right/async_endpoint.py"
    assert other.is_file()  # `lessons new` scaffolds one
    honest = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert honest.code == 0, honest.stdout + honest.stderr
    assert "right/async_endpoint.py: passes all 2 steps" in honest.stdout
    # An over-strict check: it wants a plain `def`, which the lesson never asked for.
    checks = scaffolded / "lessons/health/checks.py"
    strict = "        if route.method == \"GET\" and route.path == PATH and route.target == source.app:\n"
    assert strict in checks.read_text()
    checks.write_text(checks.read_text().replace(strict, strict.replace(" and route.target", " and not route.function.is_async and route.target")))
    run = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert run.code == 1, run.stdout
    assert "right/async_endpoint.py: is a correct solution (it is in right/), but fails at route" in run.stdout


def test_a_required_package_is_checked_by_verify_and_named_to_the_learner(scaffolded: Path) -> None:
    from tests.conftest import run_grade

    meta = scaffolded / "lessons/health/lesson.toml"
    meta.write_text(meta.read_text().replace("success =", 'requires = ["uvicorn", "grader-absent-pkg:grader_absent_module"]\nsuccess =', 1))
    verified = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert verified.code == 2
    assert "requires grader-absent-pkg, which cannot be imported here (grader_absent_module)" in verified.stderr
    graded = run_grade("--json", cwd=scaffolded)
    assert graded.code == 1, graded.stdout + graded.stderr
    first = graded.json["steps"][0]
    assert first["message"].startswith("This lesson needs the package grader-absent-pkg, which is not installed")
    assert "-m pip install grader-absent-pkg" in first["hint"]
    assert "Line" not in first["message"]
    meta.write_text(meta.read_text().replace('"grader-absent-pkg:grader_absent_module"', '"bad name!"'))
    broken = run_grade("--lesson", "health", cwd=scaffolded)
    assert broken.code == 2 and "'requires' items are package names" in broken.stderr


ROUTE_STARTER = '''\
from fastapi import FastAPI

app = FastAPI()


@app.get("/notes", tags = ["notes"])
def list_notes() -> list[str]:
    return []
'''

ROUTE_GUARDED = '''\
from typing import Annotated

from fastapi import Depends, FastAPI, Security

app = FastAPI()


@app.get("/notes", tags=["notes"], dependencies=[Depends(verify_key)])
@app.get("/all-notes")
def list_notes(key: Annotated[str, Security(scheme)], _: None = Depends(check)) -> list[str]:
    return []
'''


def test_what_a_lesson_adds_to_a_starter_route_is_mutated() -> None:
    from grader.author.mutants import mutants_of

    made = [mutant.description for mutant in mutants_of(ROUTE_GUARDED, ROUTE_STARTER)]
    for expected in (
        "line 8: in @app.get(...): dependencies= removed",
        '@app.get("/all-notes") removed from list_notes()',
        "the parameter `key: Annotated[str, Security(scheme)]` removed from list_notes()",
        "the parameter `_: None = Depends(check)` removed from list_notes()",
    ):
        assert expected in " | ".join(made), (expected, made)
    # What the starter already wrote is not the lesson's: `tags=` and the function itself stay.
    assert not any("tags=" in d or "list_notes() removed" in d for d in made), made
