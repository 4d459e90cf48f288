"""A learner's path through the course: current lesson, progress, next lesson, reset."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from grader.course.course import load_course
from tests.conftest import run_command, run_grade


def test_grade_follows_the_course(course_copy: Path) -> None:
    lessons = load_course(course_copy).lessons
    first_lesson, second_lesson = lessons[0], lessons[1]
    total = len(lessons)
    first = run_grade(cwd=course_copy)
    assert first.code == 1
    assert f"Lesson 1 of {total} (your current lesson)" in first.stdout

    shutil.copy(first_lesson.solution, first_lesson.exercise)
    passed = run_grade(cwd=course_copy)
    assert passed.code == 0, passed.stdout
    assert f"All {len(first_lesson.graded_steps(False))} steps pass." in passed.stdout
    assert f"Next lesson: {second_lesson.title}" in passed.stdout

    second = run_grade(cwd=course_copy)
    assert f"Lesson 2 of {total} (your current lesson)" in second.stdout
    assert f"Grading exercise/{second_lesson.slug}/{second_lesson.exercise.name}" in second.stdout
    assert second.code == 1

    listing = run_grade("--list", cwd=course_copy)
    assert first_lesson.slug in listing.stdout and "[done]" in listing.stdout
    assert "[current]" in listing.stdout.split(second_lesson.slug, 1)[1]


def test_reset_restores_the_starter(course_copy: Path) -> None:
    lesson = load_course(course_copy).lessons[0]
    exercise = lesson.exercise
    starter = exercise.read_text()
    exercise.write_text(starter + "\nbroken(\n")
    declined = run_grade("--reset", cwd=course_copy)
    assert declined.code == 0 and "Nothing changed" in declined.stdout
    assert exercise.read_text() != starter
    done = run_grade("--reset", "--yes", "--lesson", lesson.slug, cwd=course_copy)
    assert done.code == 0 and "is the starter again" in done.stdout
    assert exercise.read_text() == starter


def test_reset_outside_git_says_what_to_do(course_copy: Path) -> None:
    shutil.rmtree(course_copy / ".git")
    run = run_grade("--reset", "--yes", cwd=course_copy)
    assert run.code == 2
    assert "cannot recover the starter" in run.stderr


def test_reset_of_a_lesson_not_committed_yet(scaffolded: Path) -> None:
    created = run_command("lessons", "new", "draft", cwd=scaffolded)
    assert created.code == 0, created.stdout
    exercise = scaffolded / "exercise/draft/main.py"
    starter = exercise.read_text()
    exercise.write_text(starter + "\nbroken(\n")
    untracked = run_grade("--reset", "--yes", "--lesson", "draft", cwd=scaffolded)
    assert untracked.code == 2
    assert "exercise/draft/main.py is not in git yet" in untracked.stderr
    assert "git add exercise/draft/main.py" in untracked.stderr
    exercise.write_text(starter)
    subprocess.run(["git", "add", "exercise/draft/main.py"], cwd=scaffolded, check=True)
    exercise.write_text(starter + "\nbroken(\n")
    staged = run_grade("--reset", "--yes", "--lesson", "draft", cwd=scaffolded)
    assert staged.code == 0 and "is the starter again" in staged.stdout
    assert exercise.read_text() == starter
