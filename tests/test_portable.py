"""The portable path, as a learner on Windows or macOS meets it: the real `grade` command run
with the Linux-only facilities removed from its process (tests/profiles/): grading, watch,
the lesson page, hints, reset, --json, and nothing left running afterwards."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from grader.author.expectations import read_expectation
from grader.course.course import load_course
from tests.conftest import GRADE, ROOT, SUBMISSIONS, Run, run_grade

PROFILES = {
    "windows-like": ROOT / "tests/profiles/windows_like",
    "macos-like": ROOT / "tests/profiles/macos_like",
}
ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/")
STARTER = ROOT / "exercise/cors-headers/main.py"
SOLUTION = ROOT / "solution/cors-headers/main.py"


def processes_mentioning(text: str) -> list[str]:
    """Live processes whose command line mentions `text` (psutil: this file runs on Windows too)."""
    import psutil

    found = []
    for process in psutil.process_iter(["pid", "cmdline", "status"]):
        cmdline = " ".join(process.info["cmdline"] or ())
        if process.pid != os.getpid() and text in cmdline and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(f"{process.pid}: {cmdline}")
    return found


@pytest.fixture(params=list(PROFILES))
def profile(request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment that makes `grade` run as on that system."""
    return {"PYTHONPATH": str(PROFILES[request.param])}


WINDOWS_LIKE = {"PYTHONPATH": str(PROFILES["windows-like"])}


def test_the_profile_really_removes_the_linux_facilities() -> None:
    """Without this, every test below could pass on the Linux path and prove nothing."""
    probe = "import os, socket; print(hasattr(os, 'fork'), hasattr(os, 'killpg'), hasattr(socket, 'AF_UNIX'))"
    said = subprocess.run([sys.executable, "-c", probe], env={**os.environ, **WINDOWS_LIKE}, capture_output=True, text=True)
    assert said.stdout.split() == ["False", "False", "False"], said.stderr
    probe = "import os, shutil; print(os.path.isdir('/proc'), shutil.which('bwrap'))"
    said = subprocess.run(
        [sys.executable, "-c", probe], env={**os.environ, "PYTHONPATH": str(PROFILES["macos-like"])}, capture_output=True, text=True
    )
    assert said.stdout.split() == ["False", "None"], said.stderr


def test_windows_like_grade_runs_the_app_in_a_fresh_interpreter_and_says_it_has_no_sandbox() -> None:
    run = run_grade(SOLUTION, "--lesson", "cors-headers", "--json", env=WINDOWS_LIKE)
    assert run.code == 0, run.stdout + run.stderr
    assert run.json["status"] == "pass" and run.json["protection"] == "none"
    notes = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(notes) == 1 and "without a sandbox" in notes[0] and "docs/grading-a-class.md" in notes[0], run.stderr


def test_each_lessons_solution_passes_and_its_starter_fails_at_the_first_step(profile: dict[str, str], tmp_path: Path) -> None:
    course = load_course(ROOT)
    for lesson in course.lessons:
        # Copies, so that no other test's grade of the same files counts as one left running.
        solution = tmp_path / "solution" / lesson.slug / lesson.exercise.name
        starter = tmp_path / "exercise" / lesson.slug / lesson.exercise.name
        for copy, original in ((solution, ROOT / "solution" / lesson.slug / lesson.exercise.name), (starter, lesson.exercise)):
            copy.parent.mkdir(parents=True)
            copy.write_bytes(original.read_bytes())
        passed = run_grade(solution, "--lesson", lesson.slug, "--json", env=profile)
        assert "Traceback" not in passed.stderr, passed.stderr
        assert passed.code == 0 and passed.json["status"] == "pass", passed.stdout
        failed = run_grade(starter, "--lesson", lesson.slug, "--json", env=profile)
        assert failed.code == 1, failed.stdout + failed.stderr
        assert failed.json["steps"][0]["status"] == "fail", failed.stdout
        for path in (solution, starter):
            assert processes_mentioning(str(path)) == []


# Submissions whose app starts badly, hangs, floods its output, spawns processes, or has
# Windows line endings: where the portable path differs from the Linux one.
PORTABLE_CASES = [
    SUBMISSIONS / "cors-headers" / name
    for name in (
        "pass/crlf_line_endings.py", "pass/bom_crlf_notepad.py", "pass/spawns_subprocess.py",
        "pass/stderr_and_thread.py", "pass/main_guard_uvicorn_run.py", "pass/lifespan_app.py",
        "fail/mixed_cr_lf_crlf_line_numbers.py", "fail/endpoint_crashes.py", "fail/lifespan_without_app_argument.py",
        "malformed/syntax_error.py", "malformed/raises_at_import.py", "malformed/sys_exit_at_import.py",
        "malformed/os_exit_at_import.py", "malformed/input_at_import.py", "malformed/app_named_api.py",
        "malformed/blocking_uvicorn_run.py", "malformed/startup_hangs.py", "malformed/long_sleep.py",
        "malformed/endpoint_hangs.py", "malformed/prints_a_lot_then_crashes.py", "malformed/uvicorn_run_port_busy.py",
    )
]


def test_windows_like_batch_gives_each_hard_submission_its_declared_verdict(tmp_path: Path) -> None:
    """One batch (no warm worker there: a fresh interpreter each) over the cases that start
    badly, hang or have Windows line endings; each gets the verdict its header declares.
    Graded from copies: the samples' own paths are the submissions tests' to watch."""
    cases = []
    for sample in (path for path in PORTABLE_CASES if path.exists()):
        copy = tmp_path / f"{sample.parent.name}_{sample.name}"
        copy.write_bytes(sample.read_bytes())
        cases.append(copy)
    run = run_grade(*cases, "--lesson", "cors-headers", "--json", "--timeout", "9", "--jobs", "3", env=WINDOWS_LIKE, timeout=240)
    assert "Traceback" not in run.stderr, run.stderr
    reports = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(reports) == len(cases)
    for path, report in zip(cases, reports):
        expected = read_expectation(path)
        assert expected is not None
        first = next((step for step in report["steps"] if step["status"] == "fail"), None)
        got = "pass" if first is None else f"fail at {first['id']}"
        wanted = "pass" if expected.passes else f"fail at {expected.fails_at}"
        assert got == wanted, f"{path.name}: {got}, not {wanted}: {first and first['message']}"
        if expected.message and expected.timeout is None and first is not None:  # its seconds are not ours
            assert expected.message.lower() in first["message"].lower(), f"{path.name}: {first['message']}"
        assert processes_mentioning(str(path)) == [], path.name


def test_windows_like_stops_what_the_app_started_without_process_groups(tmp_path: Path) -> None:
    """An app that starts a helper process of its own: the grade ends, the helper with it."""
    marker = f"portable-helper-{os.getpid()}"
    learner = tmp_path / "main.py"
    learner.write_text(
        SOLUTION.read_text()
        + f"\nimport subprocess, sys\n_helper = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', '{marker}'])\n"
    )
    run = run_grade(learner, "--lesson", "cors-headers", "--json", env=WINDOWS_LIKE)
    assert run.json["status"] == "pass", run.stdout + run.stderr
    assert _gone(marker), "the app's own helper process outlived the grade"


def _gone(marker: str, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while processes_mentioning(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


class Lines:
    """A stream read line by line in a thread (works for pipes anywhere)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stream = stream
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: IO[bytes]) -> None:
        for line in iter(stream.readline, b""):
            self.lines.put(line.decode("utf-8", "replace"))
        self.lines.put(None)

    def next(self, timeout: float = 60) -> str:
        line = self.lines.get(timeout=timeout)
        assert line is not None, "the stream ended"
        return line

    def close(self) -> None:
        """After the process ended: the reader has met the end, the stream may close."""
        self.thread.join(timeout=10)
        self.stream.close()

    def rest(self) -> str:
        found = []
        while not self.lines.empty():
            found.append(self.lines.get() or "")
        return "".join(found)


class Grading:
    """A long-running `grade` (watch or page) under a profile; Ctrl-C ends it."""

    def __init__(self, env: dict[str, str], *args: str | Path, cwd: Path = ROOT) -> None:
        self.process = subprocess.Popen(
            [str(GRADE), *map(str, args)],
            cwd=cwd,
            env={**os.environ, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Windows delivers Ctrl-Break to a group of its own; POSIX gets SIGINT (Ctrl-C).
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self.stdout = Lines(self.process.stdout)
        self.stderr = Lines(self.process.stderr)

    def interrupt(self) -> int:
        self.process.send_signal(getattr(signal, "CTRL_BREAK_EVENT", signal.SIGINT))
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        """Stop it if a test failed half-way, and say what it printed on stderr."""
        if self.process.poll() is not None:
            print(self.stderr.rest())
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.stdout.close()
        self.stderr.close()


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[Path]:
    file = tmp_path / "main.py"
    shutil.copy(STARTER, file)
    yield file


def test_watch_regrades_on_save_and_ctrl_c_leaves_nothing(profile: dict[str, str], learner: Path) -> None:
    watching = Grading(profile, learner, "--lesson", "cors-headers", "--watch", "--json", "--timeout", "5")
    try:
        first = json.loads(watching.stdout.next())
        assert first["status"] == "fail" and first["steps"][0]["status"] == "fail"
        shutil.copy(SOLUTION, learner)
        second = json.loads(watching.stdout.next())
        assert second["status"] == "pass", second
        assert watching.interrupt() == 0
        assert processes_mentioning(str(learner)) == []
    finally:
        watching.kill()


def test_page_grades_on_save_runs_the_app_and_stops_cleanly(profile: dict[str, str], learner: Path) -> None:
    import httpx

    page = Grading(profile, learner, "--lesson", "cors-headers", "--no-open", "--timeout", "5")
    try:
        url = _address(page)
        assert httpx.get(url, timeout=10).status_code == 200
        events = _events(url)
        report = _next(events, "report", lambda data: bool(data.get("steps")))
        assert report["steps"][0]["status"] == "fail"
        app = _next(events, "app", lambda data: data.get("state") == "running")
        # The learner's app, run for the page's calls: no CORS headers before the fix.
        before = httpx.get(app["url"] + "/notes", headers={"Origin": "http://elsewhere.example"}, timeout=10)
        assert "access-control-allow-origin" not in before.headers
        shutil.copy(SOLUTION, learner)
        _next(events, "report", lambda data: all(step["status"] == "pass" for step in data.get("steps", [{}])))
        fixed = _next(events, "app", lambda data: data.get("state") == "running" and data["generation"] > app["generation"])
        after = httpx.get(fixed["url"] + "/notes", headers={"Origin": "http://elsewhere.example"}, timeout=10)
        assert after.headers.get("access-control-allow-origin") == "*"
        assert page.interrupt() == 0
        assert processes_mentioning(str(learner)) == []
    finally:
        page.kill()


def _address(grading: Grading) -> str:
    for _ in range(50):
        found = ADDRESS.search(grading.stdout.next())
        if found:
            return found.group(0)
    raise AssertionError("grade --no-open printed no address")


def _events(url: str) -> queue.Queue[tuple[str, Any]]:
    """The page's event stream, read in a thread: (event, data) pairs."""
    import httpx

    found: queue.Queue[tuple[str, Any]] = queue.Queue()

    def read() -> None:
        try:
            with httpx.stream("GET", url + "events", timeout=None) as response:
                event = ""
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: "):
                        found.put((event, json.loads(line[6:])))
        except httpx.HTTPError:
            pass

    threading.Thread(target=read, daemon=True).start()
    return found


def _next(events: queue.Queue[tuple[str, Any]], wanted: str, matches: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            event, data = events.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(event)
        if event == wanted and matches(data):
            return data
    raise AssertionError(f"the page never sent the {wanted} event looked for (it sent {seen})")


def test_hint_reset_and_progress(profile: dict[str, str], course_copy: Path) -> None:
    course = load_course(course_copy)
    lesson = course.lessons[0]
    hinted = _grade_in(course_copy, profile, "--hint")
    assert hinted.code == 1 and "Hint" in hinted.stdout, hinted.stdout + hinted.stderr
    exercise = course_copy / "exercise" / lesson.slug / lesson.exercise.name
    starter = exercise.read_bytes()
    shutil.copy(ROOT / "solution" / lesson.slug / lesson.exercise.name, exercise)
    assert _grade_in(course_copy, profile).code == 0
    listed = _grade_in(course_copy, profile, "--list")
    assert f"{lesson.slug}" in listed.stdout and "[done]" in listed.stdout, listed.stdout
    reset = _grade_in(course_copy, profile, "--reset", "--yes", "--lesson", lesson.slug)
    assert reset.code == 0 and exercise.read_bytes() == starter, reset.stdout + reset.stderr


def _grade_in(course: Path, env: dict[str, str], *args: str) -> Run:
    return run_grade(*args, cwd=course, env={**env, "GRADER_COURSE": str(course)})
