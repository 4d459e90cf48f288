"""The `lessons` command, run as an instructor would: list, new, verify, broken lessons."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_command, run_grade


def test_every_shipped_lesson_verifies() -> None:
    run = run_command("lessons", "verify")
    assert run.code == 0, run.stdout + run.stderr
    assert "Every lesson verifies." in run.stdout
    assert "cors-headers" in run.stdout and "cors-production" in run.stdout
    assert "mutant" in run.stdout


def test_list_shows_lessons_in_order_with_steps() -> None:
    run = run_command("lessons", "list")
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines[0].startswith("1. cors-headers")
    assert any(line.startswith("2. cors-production") for line in lines)
    assert any("live-headers" in line for line in lines)


def test_new_lesson_scaffold_verifies(course_copy: Path) -> None:
    created = run_command("lessons", "new", "health-check", "--title", "Health checks", cwd=course_copy)
    assert created.code == 0, created.stderr
    assert "lessons/health-check/checks.py" in created.stdout
    assert (course_copy / "exercise/health-check/main.py").read_text() == (
        course_copy / "solution/cors-production/main.py"
    ).read_text()
    verified = run_command("lessons", "verify", "health-check", cwd=course_copy)
    assert verified.code == 0, verified.stdout + verified.stderr
    listed = run_command("lessons", "list", cwd=course_copy)
    assert "3. health-check: Health checks" in listed.stdout


def test_new_lesson_refuses_bad_slug_and_existing_lesson(course_copy: Path) -> None:
    bad = run_command("lessons", "new", "Bad Slug", cwd=course_copy)
    assert bad.code == 2 and "not a valid slug" in bad.stderr
    taken = run_command("lessons", "new", "cors-headers", cwd=course_copy)
    assert taken.code == 2 and "already exists" in taken.stderr


def test_dead_check_is_reported(course_copy: Path) -> None:
    checks = course_copy / "lessons/cors-headers/checks.py"
    # A lazy check: passes as soon as the import is there, whatever the arguments.
    checks.write_text(
        checks.read_text().replace(
            "    registration = cors_registration(source)\n    problems = unknown_settings",
            "    registration = cors_registration(source)\n    return 'ok'\n    problems = unknown_settings",
        )
    )
    run = run_command("lessons", "verify", "cors-headers", cwd=course_copy)
    assert run.code == 1, run.stdout
    # The known-wrong sample now slips past the static step: verify says so.
    assert "wrong/missing_allow_methods.py: first fails at live-headers, but its header says add-middleware" in run.stdout
    # Mutants still fail, but only the live step catches the changed arguments.
    assert "allow_origins= removed: caught by live-headers\n" in run.stdout


def test_mutant_that_passes_fails_verification(course_copy: Path) -> None:
    checks = course_copy / "lessons/cors-production/checks.py"
    text = checks.read_text()
    # Make the credentials-related checks blind to allow_credentials.
    text = text.replace("    if value is None:\n        raise Failure(\n            f\"Line {registration.line} adds CORSMiddleware without", "    if False:\n        raise Failure(\n            f\"Line {registration.line} adds CORSMiddleware without")
    text = text.replace("    if value.literal is not True:", "    if False:")
    text = text.replace("credentials=True)\n    if blocked:\n        raise Failure(\n            f\"Your frontend", "credentials=False)\n    if blocked:\n        raise Failure(\n            f\"Your frontend")
    text = text.replace("blocked = origin_problems(simple, FRONTEND, credentials=True)", "blocked = origin_problems(simple, FRONTEND)")
    text = text.replace("return f\"Line {value.line} sets allow_credentials=True.\"", "return 'ok'")
    checks.write_text(text)
    run = run_command("lessons", "verify", "cors-production", cwd=course_copy)
    assert run.code == 1, run.stdout
    assert "allow_credentials= removed: passes every step: no check notices this change" in run.stdout


def test_broken_metadata_names_the_file(course_copy: Path) -> None:
    meta = course_copy / "lessons/cors-headers/lesson.toml"
    meta.write_text(meta.read_text().replace('title = "CORS headers', 'titel = "CORS headers', 1))
    for run in (run_command("lessons", "verify", cwd=course_copy), run_grade(cwd=course_copy)):
        assert run.code == 2
        assert "lesson.toml: missing 'title'" in run.stderr
        assert "Traceback" not in run.stderr + run.stdout


def test_check_that_raises_is_a_lesson_error_not_a_learner_mistake(course_copy: Path) -> None:
    checks = course_copy / "lessons/cors-headers/checks.py"
    checks.write_text(checks.read_text().replace("    first = expect_cors_import", "    1 / 0\n    first = expect_cors_import", 1))
    run = run_grade("--json", cwd=course_copy)
    assert run.code == 2
    assert run.json["status"] == "error"
    assert "ZeroDivisionError" in run.json["error"] and "checks.py" in run.json["error"]
    text = run_grade(cwd=course_copy)
    assert "not in your code" in text.stdout
    verify = run_command("lessons", "verify", "cors-headers", cwd=course_copy)
    assert verify.code == 2 and "ZeroDivisionError" in verify.stderr


def test_check_for_unknown_step_is_reported(course_copy: Path) -> None:
    checks = course_copy / "lessons/cors-headers/checks.py"
    checks.write_text(checks.read_text().replace('@check("import")', '@check("imports")'))
    run = run_grade("--json", cwd=course_copy)
    assert run.code == 2
    assert "checks for steps lesson.toml does not list: ['imports']" in run.json["error"]


def test_engine_names_no_lesson() -> None:
    found = subprocess.run(["git", "grep", "-il", "cors", "--", "grader/"], cwd=ROOT, capture_output=True, text=True)
    assert found.stdout.strip() == "", f"lesson-specific words in the engine: {found.stdout}"


def test_solved_starter_is_pointed_out(course_copy: Path) -> None:
    exercise = course_copy / "exercise/cors-headers/main.py"
    exercise.write_text((course_copy / "solution/cors-headers/main.py").read_text())
    run = run_command("lessons", "verify", "cors-headers", cwd=course_copy)
    assert run.code == 1
    assert "differs from the committed starter" in run.stdout
    assert "grade --reset --lesson cors-headers" in run.stdout


def test_a_broken_draft_does_not_block_other_lessons(course_copy: Path) -> None:
    created = run_command("lessons", "new", "draft", cwd=course_copy)
    assert created.code == 0
    meta = course_copy / "lessons/draft/lesson.toml"
    meta.write_text(meta.read_text().replace('starter_fails_at = ["route", "live-health"]', 'starter_fails_at = ["nope"]'))
    chosen = run_grade("--lesson", "cors-headers", "--json", cwd=course_copy)
    assert chosen.code == 1 and chosen.json["lesson"] == "cors-headers"
    draft = run_grade("--lesson", "draft", cwd=course_copy)
    assert draft.code == 2 and "lesson 'draft' is broken" in draft.stderr and "nope" in draft.stderr
    verify = run_command("lessons", "verify", cwd=course_copy)
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
