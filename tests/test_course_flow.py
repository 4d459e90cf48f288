"""A learner's path through the course: current lesson, progress, next lesson, reset."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import run_grade


def test_grade_follows_the_course(course_copy: Path) -> None:
    first = run_grade(cwd=course_copy)
    assert first.code == 1
    assert "Lesson 1 of 2 (your current lesson)" in first.stdout
    assert "does not import CORSMiddleware yet" in first.stdout

    shutil.copy(course_copy / "solution/cors-headers/main.py", course_copy / "exercise/cors-headers/main.py")
    passed = run_grade(cwd=course_copy)
    assert passed.code == 0, passed.stdout
    assert "All 3 steps pass." in passed.stdout
    assert "Next lesson: CORS for production" in passed.stdout

    second = run_grade(cwd=course_copy)
    assert "Lesson 2 of 2 (your current lesson)" in second.stdout
    assert "Grading exercise/cors-production/main.py" in second.stdout
    assert second.code == 1

    listing = run_grade("--list", cwd=course_copy)
    assert "cors-headers" in listing.stdout and "[done]" in listing.stdout
    assert "[current]" in listing.stdout.split("cors-production", 1)[1]


def test_reset_restores_the_starter(course_copy: Path) -> None:
    exercise = course_copy / "exercise/cors-headers/main.py"
    starter = exercise.read_text()
    exercise.write_text(starter + "\nbroken(\n")
    declined = run_grade("--reset", cwd=course_copy)
    assert declined.code == 0 and "Nothing changed" in declined.stdout
    assert exercise.read_text() != starter
    done = run_grade("--reset", "--yes", "--lesson", "cors-headers", cwd=course_copy)
    assert done.code == 0 and "is the starter again" in done.stdout
    assert exercise.read_text() == starter


def test_reset_outside_git_says_what_to_do(course_copy: Path) -> None:
    shutil.rmtree(course_copy / ".git")
    run = run_grade("--reset", "--yes", cwd=course_copy)
    assert run.code == 2
    assert "cannot recover the starter" in run.stderr
