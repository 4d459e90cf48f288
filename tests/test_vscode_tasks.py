"""The VS Code tasks in .vscode/tasks.json: their problem matcher, run over real `grade --watch`
output in a terminal, finds every failing step at its file and line, as VS Code would."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GRADE, ROOT, run_grade

TASKS = ROOT / ".vscode/tasks.json"
# What VS Code removes from a terminal's output before matching: colours, cursor moves, clears.
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str


def tasks() -> list[dict[str, Any]]:
    return json.loads(TASKS.read_text())["tasks"]


def problems_per_grade(matcher: dict[str, Any], output: str) -> list[list[Problem]]:
    """VS Code's reading of a background task: each grade runs from a line matching
    beginsPattern to one matching endsPattern, and within it a multi-line pattern matches
    consecutive lines, one regular expression per line."""
    background = matcher["background"]
    begins, ends = re.compile(background["beginsPattern"]), re.compile(background["endsPattern"])
    patterns = [(re.compile(p["regexp"]), p) for p in matcher["pattern"]]
    lines = ANSI.sub("", output).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    grades: list[list[Problem]] = []
    current: list[Problem] | None = [] if background["activeOnStart"] else None
    for index, text in enumerate(lines):
        if begins.search(text):
            current = []
        if current is not None:
            found: dict[str, str] = {}
            for offset, (regexp, pattern) in enumerate(patterns):
                match = regexp.search(lines[index + offset]) if index + offset < len(lines) else None
                if match is None:
                    break
                for key in ("file", "line", "message"):
                    if key in pattern:
                        found[key] = match.group(pattern[key])
            else:
                current.append(Problem(found["file"], int(found["line"]), found["message"]))
        if ends.search(text) and current is not None:
            grades.append(current)
            current = None
    return grades


def watch_in_a_terminal(course: Path, task: dict[str, Any], saves: list[bytes], exercise: Path) -> str:
    """Run the task's command as VS Code does (a terminal, the task's environment), save each
    of `saves` in turn after the previous grade, then Ctrl-C. Returns everything it printed."""
    command = task["command"].replace("'${workspaceFolder}/.venv/bin/grade'", f"'{GRADE}'")
    env = {**os.environ, **task["options"]["env"]}
    main, child = pty.openpty()
    process = subprocess.Popen(
        ["bash", "-c", command], cwd=course, env=env, stdin=child, stdout=child, stderr=child, start_new_session=True
    )
    os.close(child)
    output = b""
    try:
        for save in [None, *saves]:
            if save is not None:
                exercise.write_bytes(save)
            seen = output.count(b"for saves.")
            deadline = time.monotonic() + 60
            while output.count(b"for saves.") == seen:
                assert time.monotonic() < deadline, output.decode(errors="replace")
                ready, _, _ = select.select([main], [], [], 1)
                if ready:
                    output += os.read(main, 65536)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=20)
        os.close(main)
    return output.decode(errors="replace")


def expected(course: Path, file: Path) -> list[Problem]:
    """The failing steps with a line, from the same grade's JSON."""
    report = run_grade(file.relative_to(course), "--json", cwd=course).json
    return [
        Problem(report["file"], step["line"], step["message"].splitlines()[0])
        for step in report["steps"]
        if step["status"] == "fail" and step["line"] is not None
    ]


def test_tasks_run_grade_watch_and_share_one_matcher() -> None:
    found = tasks()
    assert [task["label"] for task in found] == ["grade --watch", "grade --watch --open"]
    for task in found:
        assert task["isBackground"] is True
        assert task["command"].startswith("'${workspaceFolder}/.venv/bin/grade' --watch")
        assert task["problemMatcher"] == found[0]["problemMatcher"]


@pytest.mark.parametrize("task", tasks(), ids=lambda task: task["label"])
def test_problems_panel_gets_each_failing_step_at_its_line(course_copy: Path, task: dict[str, Any]) -> None:
    if "--open" in task["command"]:
        task = {**task, "command": task["command"].replace("--open", "--no-open")}  # the address only: no browser here
    exercise = course_copy / "exercise/cors-headers/main.py"
    starter = exercise.read_bytes()
    solution = (course_copy / "solution/cors-headers/main.py").read_bytes()
    half_done = starter.replace(b"from pydantic import BaseModel\n", b"from pydantic import BaseModel\nfrom fastapi.middleware.cors import CORSMiddleware\n")
    broken = solution + b"\nbroken(\n"
    output = watch_in_a_terminal(course_copy, task, [half_done, broken, solution], exercise)
    grades = problems_per_grade(task["problemMatcher"], output)
    assert len(grades) == 4, output

    exercise.write_bytes(starter)
    assert grades[0] == expected(course_copy, exercise) and grades[0], output
    exercise.write_bytes(half_done)
    assert grades[1] == expected(course_copy, exercise) and grades[1], output
    assert grades[2] == [Problem("exercise/cors-headers/main.py", broken.count(b"\n"), grades[2][0].message)], output
    assert "syntax error" in grades[2][0].message
    assert grades[3] == []  # all steps pass: the Problems panel empties
    for grade in grades:
        for problem in grade:
            assert (course_copy / problem.file).is_file()
