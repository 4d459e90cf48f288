"""Files no editor should produce, and a grade cut short: the grader must still answer plainly.

The byte-level cases are generated into tmp_path (an empty file, stray bytes, a BOM, a file
of megabytes), because a header comment cannot describe them or would change them. Each
grade runs the real `grade` command under a subprocess timeout; every case checks the exit
status, a message a learner can act on, that no Python traceback leaks out, and that no
process is left running the learner's file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.run.process_tree import descendants

from tests.conftest import GRADE, ROOT, run_grade

LESSON = "cors-headers"
SOLUTION = (ROOT / "solution" / LESSON / "main.py").read_bytes()
# Byte-level cases never start the app; the ones that do serve a small, correct app.
GRADE_TIMEOUT = 60


@dataclass(frozen=True)
class ByteCase:
    name: str
    data: bytes
    code: int  # expected exit status
    messages: tuple[str, ...] = ()  # pieces of the first failing step's message (case-insensitive)
    line: int | None = None  # the line the first failing step points at, when it should point


def _padding(size: int) -> bytes:
    line = b"# " + b"notes " * 12 + b"\n"
    return line * (size // len(line) + 1)


BYTE_CASES = [
    ByteCase("empty", b"", 1, ("is empty",)),
    ByteCase("whitespace_only", b"   \n\t\n\r\n  \n", 1, ("is empty",)),
    ByteCase("newlines_only", b"\n" * 500, 1, ("is empty",)),
    # A Latin-1 editor saved "café": the byte 0xe9 is not UTF-8, and no coding line says otherwise.
    ByteCase(
        "latin1_byte_on_line_1",
        "# Notes API, café edition\n".encode("latin-1") + SOLUTION,
        1,
        ("not valid UTF-8", "0xe9"),
        line=1,
    ),
    ByteCase(
        "latin1_byte_further_down",
        SOLUTION + "\n# résumé of the lesson\n".encode("latin-1"),
        1,
        ("not valid UTF-8", "0xe9"),
        line=SOLUTION.count(b"\n") + 2,
    ),
    ByteCase("nul_bytes", SOLUTION[:120] + b"\x00\x00\x00" + SOLUTION[120:], 1, ("NUL",), line=SOLUTION[:120].count(b"\n") + 1),
    # Windows PowerShell's `>` and Notepad's "Unicode" both write UTF-16, full of NUL bytes.
    ByteCase("utf16_with_bom", b"\xff\xfe" + SOLUTION.decode().encode("utf-16-le"), 1, ("UTF-16", "UTF-8")),
    ByteCase("unknown_coding_line", b"# -*- coding: klingon -*-\n" + SOLUTION, 1, ("klingon",)),
    ByteCase("three_megabytes", SOLUTION + _padding(3 * 1024 * 1024), 1, ("MB", "256 KB")),
    # Byte-level variants of a correct file: each must pass.
    ByteCase("utf8_bom", b"\xef\xbb\xbf" + SOLUTION, 0),
    ByteCase("crlf", SOLUTION.replace(b"\n", b"\r\n"), 0),
    ByteCase("bom_and_crlf", b"\xef\xbb\xbf" + SOLUTION.replace(b"\n", b"\r\n"), 0),
    ByteCase("old_mac_cr_only", SOLUTION.replace(b"\n", b"\r"), 0),
    ByteCase("no_final_newline", SOLUTION.rstrip(b"\n"), 0),
    ByteCase("latin1_with_coding_line", b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + SOLUTION, 0),
    ByteCase("non_ascii_utf8", "# Notizen für alle: café, 笔记, ✓\n".encode() + SOLUTION, 0),
    ByteCase("just_under_the_size_limit", SOLUTION + _padding(200 * 1024), 0),
]


def _no_traceback(*outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output, output


@pytest.mark.parametrize("case", BYTE_CASES, ids=lambda case: case.name)
def test_bytes_get_a_clear_verdict(case: ByteCase, tmp_path: Path, no_leftovers: list[str]) -> None:
    path = tmp_path / "main.py"
    path.write_bytes(case.data)
    no_leftovers.append(str(path))

    run = run_grade(path, "--lesson", LESSON, "--json", timeout=GRADE_TIMEOUT)
    _no_traceback(run.stdout, run.stderr)
    assert run.code == case.code, run.stdout + run.stderr
    report = run.json
    if case.code == 0:
        assert report["status"] == "pass", report
        assert {step["status"] for step in report["steps"]} == {"pass"}, report
    else:
        assert report["status"] == "fail", report
        first, *rest = report["steps"]
        assert first["status"] == "fail", report
        for piece in case.messages:
            assert piece.lower() in first["message"].lower(), first["message"]
        if case.line is not None:
            assert first["line"] == case.line, first
        # Nothing can be checked in a file Python cannot read: the other steps wait.
        assert rest and {step["status"] for step in rest} == {"skip"}, report

    text = run_grade(path, "--lesson", LESSON, timeout=GRADE_TIMEOUT)
    _no_traceback(text.stdout, text.stderr)
    assert text.code == case.code
    for piece in case.messages:
        assert piece.lower() in text.stdout.lower(), text.stdout


def test_path_with_spaces_and_accents(tmp_path: Path, no_leftovers: list[str]) -> None:
    folder = tmp_path / "Mes documents" / "leçon 1 (cors)"
    folder.mkdir(parents=True)
    path = folder / "main.py"
    path.write_bytes(SOLUTION)
    no_leftovers.append(str(path))
    run = run_grade(path, "--lesson", LESSON, "--json", timeout=GRADE_TIMEOUT)
    _no_traceback(run.stdout, run.stderr)
    assert run.code == 0, run.stdout + run.stderr
    assert run.json["status"] == "pass"


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    run = run_grade(tmp_path / "nope.py", "--lesson", LESSON, timeout=GRADE_TIMEOUT)
    _no_traceback(run.stdout, run.stderr)
    assert run.code == 2
    assert "no such file" in run.stderr


def test_folder_without_submissions_is_a_usage_error(tmp_path: Path) -> None:
    run = run_grade(tmp_path, "--lesson", LESSON, timeout=GRADE_TIMEOUT)
    _no_traceback(run.stdout, run.stderr)
    assert run.code == 2
    assert "no submissions found" in run.stderr


def test_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = tmp_path / "main.py"
    path.write_bytes(SOLUTION)
    path.chmod(0)
    try:
        run = run_grade(path, "--lesson", LESSON, timeout=GRADE_TIMEOUT)
    finally:
        path.chmod(0o644)
    _no_traceback(run.stdout, run.stderr)
    assert run.code == 2, run.stdout + run.stderr
    assert "not readable" in run.stderr


# -- a grade cut short -----------------------------------------------------------------

HANGS_AT_IMPORT = '''\
import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

Path(__file__).with_name("loading").touch()  # tells the test the import has begun
time.sleep(1000)
'''


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _loading(grade: subprocess.Popen, marker: Path, sandbox: str) -> list[int]:
    """Wait until the learner's file is loading; the grade's processes then (host pids).
    Sandboxed, the file cannot reach the test's folder: its process's age says it instead."""
    def started() -> bool:
        if sandbox == "--no-sandbox":
            return marker.exists()
        children = [pid for pid in descendants(grade.pid) if b"serve_child" in _cmdline(pid)]
        return bool(children) and time.monotonic() - first_seen.setdefault("t", time.monotonic()) > 1.5

    first_seen: dict[str, float] = {}
    assert _wait_for(started, 30), "the learner's file never began loading"
    return descendants(grade.pid)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            alive.append(pid)
    return alive


@pytest.mark.parametrize("sandbox", ["--sandbox", "--no-sandbox"])
@pytest.mark.parametrize(
    ("name", "sig", "whole_group"),
    [
        ("ctrl_c_in_a_terminal", signal.SIGINT, True),
        ("sigint_to_grade", signal.SIGINT, False),
        ("sigterm_to_grade", signal.SIGTERM, False),
    ],
)
def test_interrupted_grade_stops_the_app(
    name: str, sig: signal.Signals, whole_group: bool, sandbox: str, tmp_path: Path, no_leftovers: list[str]
) -> None:
    path = tmp_path / "main.py"
    path.write_text(HANGS_AT_IMPORT)
    no_leftovers.append(str(path))
    grade = subprocess.Popen(
        [str(GRADE), str(path), "--lesson", LESSON, "--timeout", "60", sandbox],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own, like a job a terminal runs
    )

    def loading() -> list[int]:
        family = _loading(grade, tmp_path / "loading", sandbox)
        assert family, "no process runs the learner's file"
        return family

    _interrupt(grade, loading, lambda: os.killpg(grade.pid, sig) if whole_group else grade.send_signal(sig))


def _interrupt(grade: subprocess.Popen, family_of: Callable[[], list[int]], send: Callable[[], None]) -> None:
    """Once `family_of()` gives the grade's processes, `send` the signal: the grade must say
    it was interrupted, exit 130 without a traceback, and leave none of them running."""
    try:
        family = family_of()
        send()
        stdout, stderr = grade.communicate(timeout=30)
    finally:
        if grade.poll() is None:
            grade.kill()
            grade.communicate()
    _no_traceback(stdout, stderr)
    assert grade.returncode == 130, stdout + stderr
    assert "interrupted" in stderr
    assert _wait_for(lambda: not _alive(family), 10), f"left running: {_alive(family)}"


@pytest.mark.parametrize(("sandbox", "output"), [("--sandbox", "--json"), ("--no-sandbox", "--format=text")])
def test_interrupted_batch_stops_at_once_and_grades_nothing_more(
    sandbox: str, output: str, tmp_path: Path, no_leftovers: list[str]
) -> None:
    """Ctrl-C in a class: the submissions still waiting are not graded, the running ones are
    stopped, and grade says so, instead of grading the rest first (four that hang, one at a
    time, would take four minutes)."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("a", "b", "c", "d"):
        (folder / f"{name}.py").write_text(HANGS_AT_IMPORT)
        no_leftovers.append(str(folder / f"{name}.py"))
    grade = subprocess.Popen(
        [str(GRADE), str(folder), "--lesson", LESSON, "--timeout", "60", "--jobs", "1", sandbox, output],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    first_seen: dict[str, float] = {}

    def grading() -> bool:  # the worker is up, and has had time to start the first submission
        worker = any(b"warm_worker" in _cmdline(pid) for pid in descendants(grade.pid))
        return worker and time.monotonic() - first_seen.setdefault("t", time.monotonic()) > 2

    def loading() -> list[int]:
        assert _wait_for(grading, 30), "no submission began loading"
        return descendants(grade.pid)

    _interrupt(grade, loading, lambda: os.killpg(grade.pid, signal.SIGINT))


@pytest.mark.parametrize("sandbox", ["--sandbox", "--no-sandbox"])
def test_killed_grade_takes_the_app_with_it(tmp_path: Path, sandbox: str) -> None:
    """Even SIGKILL, which the grader cannot catch, must not leave the learner's app running."""
    path = tmp_path / "main.py"
    path.write_text(HANGS_AT_IMPORT)
    grade = subprocess.Popen(
        [str(GRADE), str(path), "--lesson", LESSON, "--timeout", "60", sandbox],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        family = _loading(grade, tmp_path / "loading", sandbox)
        grade.kill()
        grade.wait(timeout=30)
        # The child learns of its parent's death from the kernel; give it a moment to go.
        assert _wait_for(lambda: not _alive(family), 10), f"left running: {_alive(family)}"
    finally:
        if grade.poll() is None:
            grade.kill()
            grade.wait()
