"""One broken lesson.toml breaks only its own lesson: `grade` lists it, with the error, and
grades the others, until the learner reaches it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_command, run_grade


def test_a_typo_in_a_later_lesson_leaves_the_current_one_gradable(scaffolded: Path) -> None:
    assert run_command("lessons", "new", "second", cwd=scaffolded).code == 0
    meta = scaffolded / "lessons/second/lesson.toml"
    meta.write_text(meta.read_text().replace("title =", "titel =", 1))
    graded = run_grade("--json", cwd=scaffolded)
    assert graded.code == 1, graded.stderr
    assert graded.json["lesson"] == "health"
    assert "lesson 'second' is broken and left out until it is fixed" in graded.stderr
    assert "'titel' is not a field of a lesson; did you mean 'title'?" in graded.stderr
    listed = run_grade("--list", cwd=scaffolded)
    assert listed.code == 0 and "1. health" in listed.stdout
    assert "second" in listed.stdout and "broken" in listed.stdout and "'titel'" in listed.stdout
    # Once the learner reaches it, the broken lesson is not skipped silently.
    (scaffolded / "exercise/health/main.py").write_text((scaffolded / "solution/health/main.py").read_text())
    assert run_grade(cwd=scaffolded).code == 0
    reached = run_grade(cwd=scaffolded)
    assert reached.code == 2
    assert "lesson 'second', your current one, is broken" in reached.stderr
    assert "Traceback" not in reached.stderr
