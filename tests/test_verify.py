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
