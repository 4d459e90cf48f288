"""`grade --browser`: a real headless Chromium calls the app from a page on another origin."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import GRADE, ROOT, Run, run_grade

APPS = Path(__file__).resolve().parent / "browser_apps"
SOLUTION = ROOT / "solution/cors-headers/main.py"
STARTER = ROOT / "exercise/cors-headers/main.py"
CORS_BLOCKED = "has been blocked by CORS policy"

needs_chromium = pytest.mark.skipif(
    shutil.which(os.environ.get("GRADER_CHROMIUM") or "/usr/bin/chromium") is None
    and not os.environ.get("CI"),
    reason="Chromium is not installed (apt-get install chromium); CI installs it and runs these",
)


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A short temporary folder (Chromium's socket paths must be short), the grade's TMPDIR."""
    folder = Path(tempfile.mkdtemp(prefix="gb-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def grade_in(scratch: Path, *args: str | Path, env: dict[str, str] | None = None) -> Run:
    """Run `grade` with its own TMPDIR: every process it starts carries it, so leftovers show."""
    return run_grade(*args, env={"TMPDIR": str(scratch), **(env or {})})


def processes_of(scratch: Path) -> list[str]:
    """Live (not zombie) processes of a grade run with TMPDIR=scratch: the app keeps that
    TMPDIR; every Chromium process names its profile, inside scratch, on its command line."""
    marker = f"TMPDIR={scratch}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (
                (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            )
        except OSError:
            continue
        ours = str(scratch) in cmdline or any(entry.startswith(marker) for entry in environ)
        if ours and stat[0] != "Z":
            found.append(f"{entry.name}: {cmdline[:160]}")
    return found


def assert_nothing_left(scratch: Path, *, cleaned_up: bool = True) -> None:
    """No process of the grade runs on, and (when the grader could clean up) no profile stays."""
    left = processes_of(scratch)
    deadline = time.monotonic() + 10
    while left and time.monotonic() < deadline:  # a killed process may take a moment to go
        time.sleep(0.1)
        left = processes_of(scratch)
    assert left == [], "processes left running:\n" + "\n".join(left)
    if cleaned_up:
        assert list(scratch.glob("grader-chromium-*")) == [], "Chromium's profile was not removed"


def browser_step(run: Run) -> dict:
    step = run.step("browser")
    assert "Traceback" not in run.stderr, run.stderr
    return step


@needs_chromium
def test_solution_is_allowed_by_the_browser(scratch: Path) -> None:
    run = grade_in(scratch, SOLUTION, "--browser", "--json")
    step = browser_step(run)
    assert run.code == 0, run.stdout + run.stderr
    assert step["status"] == "pass"
    message = step["message"]
    assert "Chromium let a page on http://" in message
    # The page is on a site of its own, not on 127.0.0.1 where an app could spot it.
    assert "a page on http://127.0.0.1" not in message and "a page on http://localhost" not in message
    assert (
        "OPTIONS /notes/1  (preflight: may it send DELETE with authorization, content-type?)  ->  200 OK"
        in message
    )
    assert "DELETE /notes/1  ->  204 No Content" in message
    assert "GET /notes  ->  200 OK" in message
    assert "Access-Control-Allow-Origin: *" in message
    assert CORS_BLOCKED not in message
    assert_nothing_left(scratch)


@needs_chromium
def test_starter_is_blocked_with_chromiums_own_words(scratch: Path) -> None:
    run = grade_in(scratch, STARTER, "--browser")
    assert run.code == 1, run.stdout + run.stderr
    assert "FAIL  4. A real browser lets a page call your API" in run.stdout
    assert (
        "Chromium blocked DELETE /notes/1 and GET /notes from a page on http://"
        in run.stdout
    )
    # Chromium's console message, verbatim, for each call.
    assert (
        "from origin 'http://" in run.stdout
        and f"{CORS_BLOCKED}: Response to preflight request doesn't pass access control check: "
        "No 'Access-Control-Allow-Origin' header is present on the requested resource."
        in run.stdout
    )
    assert f"{CORS_BLOCKED}: No 'Access-Control-Allow-Origin' header is present" in run.stdout
    # The before picture: what the browser sent and what came back.
    assert "->  405 Method Not Allowed" in run.stdout
    assert "Access-Control-Allow-Origin: (none)" in run.stdout
    assert "DELETE /notes/1  ->  not sent: the preflight did not allow it" in run.stdout
    assert "GET /notes  ->  200 OK, but the page may not read it" in run.stdout
    assert_nothing_left(scratch)


@needs_chromium
@pytest.mark.parametrize(
    ("app", "said"),
    [
        (
            "wrong_origin.py",
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        ),
        (
            "fixed_origin_header.py",
            (
                "The 'Access-Control-Allow-Origin' header has a value 'https://notes.example.com' "
                "that is not equal to the supplied origin."
            ),
        ),
    ],
)
def test_app_allowing_another_origin_is_blocked(scratch: Path, app: str, said: str) -> None:
    run = grade_in(scratch, APPS / app, "--lesson", "cors-headers", "--browser", "--json")
    step = browser_step(run)
    assert run.code == 1
    assert step["status"] == "fail"
    assert "Chromium blocked DELETE /notes/1 and GET /notes" in step["message"]
    assert (
        f"{CORS_BLOCKED}: Response to preflight request doesn't pass access control check: {said}"
        in step["message"]
    )
    assert "GET /notes  ->  200 OK, but the page may not read it" in step["message"]
    assert_nothing_left(scratch)


@needs_chromium
@pytest.mark.parametrize(
    ("app", "answered"),
    [
        ("missing_methods.py", "Access-Control-Allow-Methods: GET"),
        (
            "missing_headers.py",
            "Access-Control-Allow-Headers: Accept, Accept-Language, Content-Language, Content-Type",
        ),
    ],
)
def test_app_missing_methods_or_headers_is_blocked_at_preflight(
    scratch: Path, app: str, answered: str
) -> None:
    run = grade_in(scratch, APPS / app, "--lesson", "cors-headers", "--browser", "--json")
    step = browser_step(run)
    assert run.code == 1
    assert step["status"] == "fail"
    message = step["message"]
    assert message.startswith("Chromium blocked DELETE /notes/1 from a page on")
    assert (
        f"{CORS_BLOCKED}: Response to preflight request doesn't pass access control check"
        in message
    )
    assert "->  400 Bad Request" in message
    assert answered in message
    assert "DELETE /notes/1  ->  not sent: the preflight did not allow it" in message
    assert "GET /notes, allowed:" in message  # a simple GET needs no preflight
    assert_nothing_left(scratch)


def test_no_chromium_says_how_to_install_it_and_exits_2(scratch: Path) -> None:
    missing = scratch / "no-such-chromium"
    run = grade_in(scratch, SOLUTION, "--browser", "--json", env={"GRADER_CHROMIUM": str(missing)})
    assert run.code == 2
    assert "apt-get install chromium" in run.stderr
    assert f"GRADER_CHROMIUM is set to {missing}" in run.stderr
    statuses = {step["id"]: step["status"] for step in run.json["steps"]}
    # The rest of the grade is unaffected; the browser step says why it did not run.
    assert statuses == {
        "import": "pass",
        "add-middleware": "pass",
        "live-headers": "pass",
        "browser": "skip",
    }
    assert "apt-get install chromium" in run.step("browser")["message"]
    assert_nothing_left(scratch)


def test_without_browser_flag_the_browser_step_is_not_listed(scratch: Path) -> None:
    run = grade_in(scratch, SOLUTION, "--json", env={"GRADER_CHROMIUM": str(scratch / "none")})
    assert run.code == 0
    assert [step["id"] for step in run.json["steps"]] == [
        "import",
        "add-middleware",
        "live-headers",
    ]
    assert run.stderr == ""


@needs_chromium
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "grader-killed"])
def test_no_browser_or_app_outlives_an_interrupted_grade(
    scratch: Path, how: signal.Signals
) -> None:
    grade = subprocess.Popen(
        [str(GRADE), str(APPS / "slow_delete.py"), "--lesson", "cors-headers", "--browser"],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(scratch)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job has
    )
    try:
        deadline = time.monotonic() + 60
        # The page exists once Chromium runs a renderer; the DELETE then hangs in the app.
        while (
            not any("--type=renderer" in p for p in processes_of(scratch))
            and time.monotonic() < deadline
        ):
            assert grade.poll() is None, grade.communicate()
            time.sleep(0.05)
        time.sleep(0.5)
        assert grade.poll() is None, "the grade ended before it could be interrupted"
        os.killpg(grade.pid, how)  # what Ctrl-C does: the signal goes to the foreground group
        stdout, stderr = grade.communicate(timeout=30)
    finally:
        if grade.poll() is None:
            grade.kill()
            grade.communicate()
    if how is signal.SIGINT:
        assert grade.returncode == 130, stdout + stderr
        assert "grade: interrupted" in stderr
        assert "Traceback" not in stderr
    # Killed outright, the grader cannot clean up, yet nothing runs on: Chromium exits as its
    # pipe closes, and the app dies with its parent. Only the profile folder stays behind.
    assert_nothing_left(scratch, cleaned_up=how is signal.SIGINT)


@needs_chromium
def test_lesson_can_make_the_browser_step_part_of_every_grade(
    course_copy: Path, scratch: Path
) -> None:
    toml = course_copy / "lessons/cors-headers/lesson.toml"
    toml.write_text('browser = "always"\n' + toml.read_text())
    run = run_grade(
        "solution/cors-headers/main.py", "--json", cwd=course_copy, env={"TMPDIR": str(scratch)}
    )
    assert run.code == 0, run.stdout + run.stderr
    assert run.step("browser")["status"] == "pass"
    assert_nothing_left(scratch)


def test_browser_step_without_a_browser_check_is_a_broken_lesson(course_copy: Path) -> None:
    toml = course_copy / "lessons/cors-headers/lesson.toml"
    text = toml.read_text().replace(
        'id = "live-headers"\n', 'id = "live-headers"\nbrowser = true\n'
    )
    toml.write_text(text)
    run = run_grade(
        "solution/cors-headers/main.py", "--lesson", "cors-headers", "--json", cwd=course_copy
    )
    assert run.code == 2
    assert (
        "['live-headers']: a step is marked browser = true in lesson.toml exactly when"
        in run.json["error"]
    )


def test_a_program_that_is_not_chromium_skips_the_browser_step(scratch: Path) -> None:
    run = grade_in(scratch, SOLUTION, "--browser", "--json", env={"GRADER_CHROMIUM": "/bin/true"})
    step = browser_step(run)
    assert step["status"] == "skip"
    assert step["message"].startswith("Chromium (/bin/true) stopped unexpectedly")
    assert [s["status"] for s in run.json["steps"][:3]] == ["pass", "pass", "pass"]
    assert_nothing_left(scratch)


@needs_chromium
@pytest.mark.parametrize("app", ["only_local_pages.py", "only_headless_browsers.py", "only_the_demo_token.py"])
def test_an_app_cannot_tell_the_browser_step_from_a_real_page(scratch: Path, app: str) -> None:
    # Each app serves CORS headers to the grader's browser alone: to a page on 127.0.0.1, to a
    # browser that says it is headless, or to the one login token it sent. A real user's page gets none.
    run = grade_in(scratch, APPS / app, "--lesson", "cors-headers", "--browser", "--json")
    step = browser_step(run)
    assert run.code == 1
    assert step["status"] == "fail", step["message"]
    assert step["message"].startswith("Chromium blocked DELETE /notes/1")
    page = step["message"].split("from a page on ", 1)[1].split(". ", 1)[0]
    assert "127.0.0.1" not in page and "localhost" not in page
    assert_nothing_left(scratch)
