"""The `lessons` command, run as an instructor would: list, new, verify, broken lessons."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from grader.course.course import load_course
from tests.conftest import commit_all, ROOT, run_command, run_grade


def test_every_shipped_lesson_verifies() -> None:
    run = run_command("lessons", "verify")
    assert run.code == 0, run.stdout + run.stderr
    assert "Every lesson verifies." in run.stdout
    for lesson in load_course(ROOT).lessons:
        assert f"{lesson.slug}: {lesson.title}" in run.stdout
    assert "mutant" in run.stdout


def test_list_shows_lessons_in_order_with_steps() -> None:
    run = run_command("lessons", "list")
    assert run.code == 0
    lessons = load_course(ROOT).lessons
    numbered = [line for line in run.stdout.splitlines() if not line.startswith(" ")]
    assert numbered == [f"{number}. {lesson.slug}: {lesson.title}" for number, lesson in enumerate(lessons, start=1)]
    assert any(lessons[0].steps[-1].id in line for line in run.stdout.splitlines())


def test_new_lesson_scaffold_verifies(course_copy: Path) -> None:
    last = load_course(course_copy).lessons[-1]
    created = run_command("lessons", "new", "health-check", "--title", "Health checks", cwd=course_copy)
    assert created.code == 0, created.stdout + created.stderr
    assert "lessons/health-check/checks.py" in created.stdout
    assert "It verifies." in created.stdout
    assert (course_copy / "exercise/health-check/main.py").read_text() == last.solution.read_text()
    verified = run_command("lessons", "verify", "health-check", cwd=course_copy)
    assert "Lesson 'health-check' verifies." in verified.stdout, verified.stdout
    assert verified.code == 0, verified.stdout + verified.stderr
    listed = run_command("lessons", "list", cwd=course_copy)
    count = len(load_course(course_copy).lessons)
    assert f"{count}. health-check: Health checks" in listed.stdout


def test_new_lesson_from_another_lesson(course_copy: Path) -> None:
    first = load_course(course_copy).lessons[0]
    created = run_command("lessons", "new", "health", "--from", first.slug, cwd=course_copy)
    assert created.code == 0, created.stdout + created.stderr
    assert f"starting from {first.slug}'s solution" in created.stdout
    assert (course_copy / "exercise/health/main.py").read_text() == first.solution.read_text()
    missing = run_command("lessons", "new", "other", "--from", "nope", cwd=course_copy)
    assert missing.code == 2 and "no lesson named 'nope' to start from" in missing.stderr


def test_new_lesson_in_an_empty_folder_starts_a_course(tmp_path: Path) -> None:
    created = run_command("lessons", "new", "first-steps", cwd=tmp_path)
    assert created.code == 0, created.stdout + created.stderr
    assert (tmp_path / "lessons/first-steps/lesson.toml").is_file()
    assert not (ROOT / "lessons/first-steps").exists()


def test_new_lesson_refuses_bad_slug_and_existing_lesson(course_copy: Path) -> None:
    bad = run_command("lessons", "new", "Bad Slug", cwd=course_copy)
    assert bad.code == 2 and "not a valid slug" in bad.stderr
    taken = run_command("lessons", "new", load_course(course_copy).lessons[0].slug, cwd=course_copy)
    assert taken.code == 2 and "already exists" in taken.stderr


def test_dead_check_is_reported(scaffolded: Path) -> None:
    # A lazy static check: passes whatever the file holds.
    lazy(scaffolded, "    for route in source.routes():")
    run = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert run.code == 1, run.stdout
    # The known-wrong sample now slips past the static step: verify says so.
    assert "wrong/wrong_path.py: first fails at live-health, but its header says route" in run.stdout
    assert "starter: fails at ['live-health'], but lesson.toml says starter_fails_at = ['route', 'live-health']" in run.stdout
    # Mutants still fail, but only the live step catches them.
    assert "the function health() removed: caught by live-health\n" in run.stdout
    assert "step route: is never shown to fail" in run.stdout


def test_mutant_that_passes_fails_verification(scaffolded: Path) -> None:
    lazy(scaffolded, "    for route in source.routes():")
    lazy(scaffolded, "    response = app.expect(")
    run = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert run.code == 1, run.stdout
    assert 'mutant, line 11: @app.get("/health") removed from health(): passes every step: no check notices this change' in run.stdout
    assert "step live-health: is never shown to fail" in run.stdout


def lazy(course: Path, line: str) -> None:
    """Make the check holding `line` pass without looking at anything."""
    checks = course / "lessons/health/checks.py"
    text = checks.read_text()
    assert line in text
    checks.write_text(text.replace(line, "    return 'ok'\n" + line, 1))


def test_broken_metadata_names_the_file(course_copy: Path) -> None:
    meta = course_copy / "lessons/cors-headers/lesson.toml"
    meta.write_text(meta.read_text().replace('title = "CORS headers', 'titel = "CORS headers', 1))
    for run in (run_command("lessons", "verify", cwd=course_copy), run_grade(cwd=course_copy)):
        assert run.code == 2
        assert "lesson.toml, line 1: 'titel' is not a field of a lesson; did you mean 'title'?" in run.stderr
        assert "Traceback" not in run.stderr + run.stdout


def test_check_that_raises_is_a_lesson_error_not_a_learner_mistake(scaffolded: Path) -> None:
    checks = scaffolded / "lessons/health/checks.py"
    checks.write_text(checks.read_text().replace("    for route in source.routes():", "    1 / 0\n    for route in source.routes():", 1))
    run = run_grade("--json", cwd=scaffolded)
    assert run.code == 2
    assert run.json["status"] == "error"
    assert "ZeroDivisionError" in run.json["error"] and "checks.py" in run.json["error"]
    text = run_grade(cwd=scaffolded)
    assert "not in your code" in text.stdout
    verify = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert verify.code == 2 and "ZeroDivisionError" in verify.stderr


def test_check_for_unknown_step_is_reported(scaffolded: Path) -> None:
    checks = scaffolded / "lessons/health/checks.py"
    checks.write_text(checks.read_text().replace('@check("route")', '@check("routes")'))
    run = run_grade("--json", cwd=scaffolded)
    assert run.code == 2
    assert "checks for steps lesson.toml does not list: ['routes']" in run.json["error"]


def test_engine_names_no_lesson() -> None:
    found = subprocess.run(["git", "grep", "-in", "cors", "--", "grader/"], cwd=ROOT, capture_output=True, text=True)
    # A browser's own header value (`Sec-Fetch-Mode: cors`) is the web's word, not a lesson's.
    lines = [line for line in found.stdout.splitlines() if '"Sec-Fetch-Mode", "cors"' not in line]
    assert lines == [], "lesson-specific words in the engine:\n" + "\n".join(lines)


def test_solved_starter_is_pointed_out(scaffolded: Path) -> None:
    exercise = scaffolded / "exercise/health/main.py"
    exercise.write_text((scaffolded / "solution/health/main.py").read_text())
    run = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert run.code == 1
    assert "differs from the committed starter" in run.stdout
    assert "grade --reset --lesson health" in run.stdout


def test_a_solved_starter_leaves_the_mutants_their_proof(scaffolded: Path) -> None:
    """Mutants are made of what the solution adds to the starter as committed: a copy solved
    in this checkout must not make every step look "never shown to fail"."""
    for sample in (scaffolded / "lessons/health").glob("*/*.py"):
        if sample.parent.name in {"wrong", "right"}:
            sample.unlink()
    commit_all(scaffolded)
    exercise = scaffolded / "exercise/health/main.py"
    exercise.write_text((scaffolded / "solution/health/main.py").read_text())
    run = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert "differs from the committed starter" in run.stdout
    assert "never shown to fail" not in run.stdout, run.stdout
    assert "1 problem(s) found." in run.stdout, run.stdout


def test_a_broken_draft_does_not_block_other_lessons(scaffolded: Path) -> None:
    created = run_command("lessons", "new", "draft", cwd=scaffolded)
    assert created.code == 0
    meta = scaffolded / "lessons/draft/lesson.toml"
    meta.write_text(meta.read_text().replace('starter_fails_at = ["route", "live-health"]', 'starter_fails_at = ["nope"]'))
    chosen = run_grade("--lesson", "health", "--json", cwd=scaffolded)
    assert chosen.code == 1 and chosen.json["lesson"] == "health"
    draft = run_grade("--lesson", "draft", cwd=scaffolded)
    assert draft.code == 2 and "lesson 'draft' is broken" in draft.stderr and "nope" in draft.stderr
    verify = run_command("lessons", "verify", cwd=scaffolded)
    assert verify.code == 2 and "draft/lesson.toml" in verify.stderr


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ('[[page.calls]]\nmethod = "delete"\npath = "/notes/1"\n', "(page.calls[0]): 'method' must be an HTTP method in capitals"),
        ('[[page.calls]]\nmethod = "GET"\npath = "notes"\n', "(page.calls[0]): 'path' must start with /"),
        ('[[page.calls]]\nmethod = "GET"\npath = "/notes"\nheaders = { Authorization = 1 }\n', "'headers' must map header names to text"),
        ('[[page.calls]]\nmethod = "GET"\npath = "/notes"\n[[page.sites]]\nlabel = "Frontend"\norigin = "https://notes.example.com/"\n', "(page.sites[0]): 'origin' must be a scheme and host"),
        ('[[page.sites]]\nlabel = "Frontend"\n', "'sites' needs 'calls' too"),
        ('[page]\ncall = []\n', "[page]: unknown keys ['call']"),
        ('[page]\nblocked = 1\n', "[page]: 'blocked' must be str"),
    ],
)
def test_a_malformed_page_table_names_the_key(course_copy: Path, table: str, said: str) -> None:
    meta = course_copy / "lessons/cors-headers/lesson.toml"
    text = meta.read_text()
    meta.write_text(text[: text.index("\n[page]")] + "\n" + table if "\n[page]" in text else text + table)
    run = run_grade("--lesson", "cors-headers", cwd=course_copy)
    assert run.code == 2
    assert "lesson.toml" in run.stderr and said in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
