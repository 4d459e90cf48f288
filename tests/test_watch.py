"""Watch mode, hints and the lesson view, driven through the real `grade` command."""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import GRADE, ROOT, processes_mentioning, run_grade

STARTER = ROOT / "exercise/cors-headers/main.py"
SOLUTION = ROOT / "solution/cors-headers/main.py"


class Watcher:
    """`grade --watch --json` on a file, read one JSON line per grade."""

    def __init__(self, file: Path, *extra: str) -> None:
        self.process = subprocess.Popen(
            [str(GRADE), str(file), "--lesson", "cors-headers", "--watch", "--json", "--timeout", "5", *extra],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        self.selector.register(self.process.stdout, selectors.EVENT_READ)

    def next_report(self, timeout: float = 30) -> dict:
        assert self.process.stdout is not None
        assert self.selector.select(timeout), "watch mode printed nothing"
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.selector.close()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def children(self) -> list[int]:
        return [pid for pid in _all_pids() if _parent(pid) == self.process.pid]


def _all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_watch_regrades_on_every_save_and_stops_cleanly(tmp_path: Path) -> None:
    target = tmp_path / "main.py"
    shutil.copy(STARTER, target)
    watcher = Watcher(target)
    try:
        first = watcher.next_report()
        assert first["status"] == "fail" and first["steps"][0]["status"] == "fail"
        helpers = watcher.children()  # the warm worker
        assert helpers

        target.write_text(SOLUTION.read_text())
        assert watcher.next_report()["status"] == "pass"

        target.write_text(SOLUTION.read_text() + "\nbroken(\n")
        broken = watcher.next_report()
        assert [s["status"] for s in broken["steps"]] == ["fail", "skip", "skip"]
        assert "syntax error" in broken["steps"][0]["message"]

        # An editor that writes a new file and renames it over the old one (vim, JetBrains).
        fresh = tmp_path / "main.py.tmp"
        fresh.write_text(SOLUTION.read_text())
        os.replace(fresh, target)
        assert watcher.next_report()["status"] == "pass"

        # Manual mode: a line on stdin grades again, for file systems without change events.
        assert watcher.process.stdin is not None
        watcher.process.stdin.write(b"\n")
        watcher.process.stdin.flush()
        assert watcher.next_report()["status"] == "pass"
    finally:
        watcher.process.send_signal(signal.SIGINT)
        code = watcher.process.wait(timeout=15)
    assert watcher.process.stderr is not None
    stderr = watcher.process.stderr.read()
    watcher.close()
    assert code == 0
    assert b"Stopped watching" in stderr
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in helpers)
    assert processes_mentioning(str(tmp_path)) == []


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Chromium")
def test_watch_keeps_one_browser_open_across_grades(tmp_path: Path) -> None:
    target = tmp_path / "main.py"
    shutil.copy(STARTER, target)
    watcher = Watcher(target, "--browser")
    try:
        first = watcher.next_report(timeout=60)
        assert [s["id"] for s in first["steps"]][-1] == "browser"
        assert first["steps"][-1]["status"] == "fail"
        browsers = [pid for pid in _all_pids() if "chromium" in _command(pid)]
        target.write_text(SOLUTION.read_text())
        second = watcher.next_report(timeout=60)
        assert second["status"] == "pass"
        assert [pid for pid in _all_pids() if "chromium" in _command(pid) and pid in browsers]
    finally:
        watcher.process.send_signal(signal.SIGINT)
        watcher.process.wait(timeout=15)
        watcher.close()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in browsers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in browsers)


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def test_hint_reveals_the_next_hint_and_remembers_it(course_copy: Path) -> None:
    first = run_grade(cwd=course_copy, env={"NO_COLOR": "1"})
    assert "Hint: Add this line" in first.stdout
    assert "Hint 2" not in first.stdout
    revealed = run_grade("--hint", cwd=course_copy, env={"NO_COLOR": "1"})
    assert "Hint 1: Add this line" in revealed.stdout
    assert "Hint 2: The class name is written CORSMiddleware" in revealed.stdout
    assert "Step 1: hint 2 of 2" in revealed.stdout
    again = run_grade(cwd=course_copy, env={"NO_COLOR": "1"})
    assert "Hint 2: The class name" in again.stdout  # remembered for this lesson


def test_show_renders_the_lesson_with_step_status() -> None:
    run = run_grade(SOLUTION, "--show")
    assert "Origins and the same-origin policy" in run.stdout
    assert "Your steps" in run.stdout
    assert " PASS  1. Import CORSMiddleware" in run.stdout
    assert "\x1b[" not in run.stdout  # no colour when not on a terminal


def test_json_output_is_only_json() -> None:
    run = run_grade(STARTER, "--json")
    assert json.loads(run.stdout)["version"] == 1
    assert run.stdout.count("\n") == 1
