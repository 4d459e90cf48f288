"""lessons/README.md's non-CORS lesson, written into a course of its own from the page's code
blocks alone, verifies; a course grows by `lessons new` and stays green, even after a lesson
that restricts requests."""

from __future__ import annotations

import re
from pathlib import Path

from grader.course.course import load_course
from tests.conftest import ROOT, run_command, run_grade

README = ROOT / "lessons/README.md"
BLOCK = re.compile(r"```(?:python|toml)\n# (\S+)( \(added to the starter\))?\n(.*?)```", re.DOTALL)


def readme_files() -> dict[str, tuple[str, bool]]:
    """The process-time walkthrough's files: path -> (text, whether it is added to the starter)."""
    found = BLOCK.findall(README.read_text())
    return {path: (text, bool(added)) for path, added, text in found if "/process-time/" in path}


def write_walkthrough(root: Path) -> None:
    files = readme_files()
    assert {"lessons/process-time/lesson.toml", "lessons/process-time/checks.py", "solution/process-time/main.py"} <= set(files)
    order = re.search(r"^order = \d+$", (root / "lessons/process-time/lesson.toml").read_text(), re.MULTILINE)
    assert order is not None
    (root / "lessons/process-time/wrong/wrong_path.py").unlink()
    (root / "lessons/process-time/right/async_endpoint.py").unlink()
    for path, (text, added) in files.items():
        target = root / path
        if path.endswith("lesson.toml"):
            text = re.sub(r"^order = \d+$", order.group(0), text, flags=re.MULTILINE)
        if added:
            starter = (root / "exercise/process-time/main.py").read_text()
            text = "import time\n" + starter + "\n" + text.replace("import time\n", "", 1)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def test_the_readme_lesson_verifies_in_a_course_of_its_own(tmp_path: Path) -> None:
    created = run_command("lessons", "new", "process-time", "--title", "Time every request", cwd=tmp_path)
    assert created.code == 0, created.stdout + created.stderr
    write_walkthrough(tmp_path)
    verified = run_command("lessons", "verify", "process-time", cwd=tmp_path)
    assert verified.code == 0, verified.stdout + verified.stderr
    for mutant in (
        "the function add_process_time() removed: caught by middleware, live-header",
        '@app.middleware("http") removed from add_process_time(): caught by middleware, live-header',
        "`await` dropped from `await call_next(request)` in add_process_time(): caught by middleware, live-header",
        'set to "mutant.example" instead: caught by live-header',
        "`return response` removed from add_process_time(): caught by middleware, live-header",
        "wrong/not_awaited.py: fails at middleware, as declared",
    ):
        assert mutant in verified.stdout, verified.stdout
    graded = run_grade("--json", cwd=tmp_path)
    assert graded.code == 1
    first = graded.step("middleware")
    assert first["message"].startswith('main.py has no function decorated with @app.middleware("http") yet')
    assert '    async def add_process_time(request, call_next):\n        start' in first["hint"]
    # In the terminal, the multi-line hint keeps its indentation under the step.
    shown = run_grade(cwd=tmp_path).stdout.splitlines()
    assert " " * 11 + "async def add_process_time(request, call_next):" in shown
    assert " " * 15 + "start = time.perf_counter()" in shown


def test_a_lesson_added_to_the_shipped_course_keeps_it_green(course_copy: Path) -> None:
    before = load_course(course_copy).lessons
    created = run_command("lessons", "new", "process-time", cwd=course_copy)
    assert created.code == 0, created.stdout + created.stderr
    assert "It verifies." in created.stdout
    write_walkthrough(course_copy)
    verified = run_command("lessons", "verify", cwd=course_copy)
    assert verified.code == 0, verified.stdout + verified.stderr
    assert "Every lesson verifies." in verified.stdout
    # The course-level flow, on the grown course: the new lesson comes last.
    listing = run_grade("--list", cwd=course_copy)
    assert listing.code == 0 and "process-time" in listing.stdout.splitlines()[-1] + listing.stdout
    for lesson in before:
        (course_copy / "exercise" / lesson.slug / lesson.exercise.name).write_text(lesson.solution.read_text())
        assert run_grade("--lesson", lesson.slug, cwd=course_copy).code == 0
    current = run_grade(cwd=course_copy)
    assert f"Lesson {len(before) + 1} of {len(before) + 1} (your current lesson)" in current.stdout
    assert "Grading exercise/process-time/main.py" in current.stdout


TRUSTED = """
from fastapi.middleware.trustedhost import TrustedHostMiddleware

app.add_middleware(TrustedHostMiddleware, allowed_hosts=["notes.example.com"])  # lessons: no-mutant
"""


def test_a_lesson_after_a_host_restriction_inherits_its_request_headers(scaffolded: Path) -> None:
    # A lesson whose solution trusts one host only, and says so in request_headers.
    solution = scaffolded / "solution/health/main.py"
    solution.write_text(solution.read_text() + TRUSTED)
    meta = scaffolded / "lessons/health/lesson.toml"
    meta.write_text(meta.read_text().replace("success =", 'request_headers = { Host = "notes.example.com" }\nsuccess =', 1))
    verified = run_command("lessons", "verify", "health", cwd=scaffolded)
    assert verified.code == 0, verified.stdout  # the middleware line is spared: this lesson does not teach it
    after = run_command("lessons", "new", "after", cwd=scaffolded)
    assert after.code == 0, after.stdout + after.stderr
    assert 'request_headers = { "Host" = "notes.example.com" }' in (scaffolded / "lessons/after/lesson.toml").read_text()
    graded = run_grade("solution/after/main.py", "--lesson", "after", "--json", cwd=scaffolded)
    assert graded.json["status"] == "pass"
    # Without the header, the next lesson cannot verify, and `lessons new` says what to do.
    meta.write_text(meta.read_text().replace('request_headers = { Host = "notes.example.com" }\n', ""))
    blocked = run_command("lessons", "new", "blocked", "--from", "health", cwd=scaffolded)
    assert blocked.code == 1, blocked.stdout
    assert "400 Bad Request" in blocked.stdout
    assert "request_headers in lessons/blocked/lesson.toml" in blocked.stdout
    assert "lessons new blocked --from OTHER-LESSON" in blocked.stdout
