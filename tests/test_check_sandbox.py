"""A lesson's checks are sandboxed from the view: what they print is kept for the author, a
check that returns nothing or raises errs only its own step, and checks.py loads like any
module. Each test builds its own course with `lessons new`, so the shipped course's shape
never matters."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_command, run_grade


@pytest.fixture
def course(scaffolded: Path) -> Path:
    return scaffolded


def edit_checks(course: Path, old: str, new: str) -> Path:
    checks = course / "lessons/health/checks.py"
    text = checks.read_text()
    assert old in text
    checks.write_text(text.replace(old, new, 1))
    return checks


def grade_solution(course: Path) -> dict:
    run = run_grade("solution/health/main.py", "--lesson", "health", "--json", cwd=course)
    assert "Traceback" not in run.stderr, run.stderr
    return {"code": run.code, **run.json}


def test_print_in_a_check_stays_out_of_json_and_shows_under_verify(course: Path) -> None:
    edit_checks(course, "    for route in source.routes():", "    print('looking at', source.name)\n    for route in source.routes():")
    graded = grade_solution(course)  # parses as JSON: nothing else reached stdout
    assert graded["status"] == "pass" and graded["code"] == 0
    verify = run_command("lessons", "verify", "health", cwd=course)
    assert verify.code == 0, verify.stdout
    assert "route printed: looking at main.py" in verify.stdout


def test_a_check_that_returns_nothing_is_a_lesson_error_on_its_step_only(course: Path) -> None:
    checks = edit_checks(course, '            return f"Line {route.line} declares GET {PATH}."', "            return None")
    graded = grade_solution(course)
    steps = {step["id"]: step["status"] for step in graded["steps"]}
    assert steps == {"route": "error", "live-health": "pass"}
    assert graded["status"] == "error" and graded["code"] == 2
    assert f"{checks}, line 10: the check health_route_is_declared() for step 'route' returned nothing" in graded["error"]
    text = run_grade("solution/health/main.py", "--lesson", "health", cwd=course)
    assert "ERROR" in text.stdout and "not in your code" in text.stdout and "PASS" in text.stdout


def test_a_check_that_raises_errs_only_its_step_and_names_the_author_s_line(course: Path) -> None:
    checks = edit_checks(course, "    response = app.expect(", "    {}['missing']\n    response = app.expect(")
    graded = grade_solution(course)
    steps = {step["id"]: step for step in graded["steps"]}
    assert steps["route"]["status"] == "pass"
    assert steps["live-health"]["status"] == "error"
    line = checks.read_text().splitlines().index("    {}['missing']") + 1
    assert f"{checks}, line {line}: the check health_answers_ok() for step 'live-health' raised KeyError: 'missing'" in graded["error"]
    verify = run_command("lessons", "verify", "health", cwd=course)
    assert verify.code == 2
    assert "KeyError: 'missing'" in verify.stderr and "a check has a bug" in verify.stdout


def test_checks_load_like_a_normal_module(course: Path) -> None:
    edit_checks(
        course,
        'PATH = "/health"',
        'from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass Probe:\n    path: str\n\n\n'
        'PATH = Probe("/health").path\nprint("loading checks")',
    )
    graded = grade_solution(course)
    assert graded["status"] == "pass", graded
