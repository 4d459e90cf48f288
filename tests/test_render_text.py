"""The text view on a real terminal of a fixed size: the real `grade` command in a
pseudo-terminal of 80 and 120 columns, and `grade --watch` in 80x24."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shlex
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import GRADE, ROOT, SUBMISSIONS, run_grade

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TEXT_ORIGINS = SUBMISSIONS / "cors-production/fail/origins_as_text.py"


def run_in_terminal(
    args: list[str], columns: int, rows: int, *, until: str | None = None, timeout: float = 60,
    env_changes: dict[str, str | None] | None = None,
) -> str:
    """Run `grade ARGS` on a pseudo-terminal of this size; its raw output (ANSI included).
    With `until`, stop it (Ctrl-C) once that text has appeared and the screen is quiet."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "LINES": str(rows), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    for name, value in (env_changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    process = subprocess.Popen(
        [str(GRADE), *args], cwd=ROOT, env=env, stdin=terminal, stdout=terminal, stderr=terminal, start_new_session=True
    )
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + timeout
    seen_at: float | None = None
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the terminal closed: the command ended
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
            if until is not None and seen_at is None and until in ANSI.sub("", output.decode("utf-8", "replace")):
                seen_at = time.monotonic()
            if seen_at is not None and time.monotonic() - seen_at > 1.0:
                break
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        os.close(controller)
    return output.decode("utf-8", "replace")


def plain_lines(raw: str) -> list[str]:
    # A spinner redraws its line after each \r: what stays on screen is the last draw.
    return [ANSI.sub("", line.rstrip("\r").split("\r")[-1]).rstrip() for line in raw.split("\n")]


@pytest.mark.parametrize("columns", [80, 120])
def test_report_fits_the_width_and_keeps_its_indents(columns: int) -> None:
    lines = plain_lines(run_in_terminal([str(TEXT_ORIGINS), "--lesson", "cors-production"], columns, 40))
    assert max(len(line) for line in lines) <= columns, "\n".join(lines)
    text = "\n".join(lines)
    assert "finds any piece of the text" in text
    # Inside a step, every line keeps the step's indent, wrapped lines included.
    inside = False
    for line in lines:
        if re.match(r" (PASS|FAIL|SKIP) ", line):
            inside = True
            continue
        if not line.strip() or not inside:
            inside = inside and bool(line.strip())
            continue
        assert line.startswith(" " * 7), f"lost its indent: {line!r}\n{text}"
    # The curl command is whole words only: joined at its ` \` continuations, it is one command again.
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("curl "))
    command = lines[start].strip()
    while command.endswith("\\"):
        start += 1
        command = command[:-1].rstrip() + " " + lines[start].strip()
    words = shlex.split(command)
    assert words[:2] == ["curl", "-i"] and "Origin: https://notes.example.co" in words, command


def test_watch_fits_80_by_24_and_redraws_in_one_write(tmp_path: Path) -> None:
    folder = tmp_path / ("a-long-folder-name-" * 5)  # a path wider than the screen
    folder.mkdir()
    exercise = folder / "main.py"
    exercise.write_text(TEXT_ORIGINS.read_text())
    raw = run_in_terminal(["--watch", str(exercise), "--lesson", "cors-production"], 80, 24, until="Watching")
    frame = raw[raw.rindex("\x1b[H") :]
    assert "\x1b[2J" not in raw, "the screen is cleared before drawing: it flashes blank"
    lines = plain_lines(frame)
    while lines and not lines[-1]:
        lines.pop()
    text = "\n".join(lines)
    assert len(lines) <= 24, text
    assert max(len(line) for line in lines) <= 80, text
    # The step to fix first is shown in full, with its hint; passing steps take one line each.
    assert "finds any piece of the text" in text and "Hint:" in text
    assert re.search(r"^ PASS  2\. .*\n PASS  3\. ", text, re.M), text
    assert "Watching" in " ".join(lines[-2:])


def test_unreadable_file_is_its_own_finding_above_the_steps(tmp_path: Path) -> None:
    pasted = tmp_path / "main.py"
    pasted.write_text(
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp = FastAPI()\n"
        '    app.add_middleware(CORSMiddleware, allow_origins=["*"])\n'
    )
    lines = plain_lines(run_in_terminal([str(pasted), "--lesson", "cors-headers"], 80, 40))
    text = "\n".join(lines)
    finding = next(i for i, line in enumerate(lines) if "Python cannot read main.py yet" in line)
    first_step = next(i for i, line in enumerate(lines) if "1. Import CORSMiddleware" in line)
    assert finding < first_step, text
    assert lines[first_step].startswith(" SKIP "), text  # step 1 is not blamed for the file
    flat = " ".join(text.split())  # phrases may wrap across lines
    assert "unexpected indent" in flat and "Remove the spaces at its start" in flat
    # the carets sit under the four spaces of indentation
    code = next(line for line in lines if "5 |     app.add_middleware" in line)
    caret = lines[lines.index(code) + 1]
    assert caret.index("^") == code.index("|") + 2 and caret.strip() == "^^^^", text
    assert "Fix line 5 of main.py" in flat and "Start with step 1" not in flat


def test_show_prints_code_flush_left() -> None:
    lines = plain_lines(run_in_terminal(["--show", "--lesson", "cors-headers"], 80, 500))
    # Copied from here, the import pastes at the left edge of main.py, where Python wants it.
    assert "from fastapi.middleware.cors import CORSMiddleware" in lines
    assert "app.add_middleware(" in lines and "    allow_origins=[\"*\"]," in lines


def _fake_pager(folder: Path, name: str) -> Path:
    """A pager named `name` that keeps what it was given (text and $LESS) instead of showing it."""
    folder.mkdir(exist_ok=True)
    pager = folder / name
    pager.write_text(f'#!/bin/sh\nprintf "%s" "${{LESS-unset}}" > "{folder}/less_env"\ncat > "{folder}/input"\n')
    pager.chmod(0o755)
    return pager


@pytest.mark.parametrize(
    ("pager", "less", "colour"),
    [("less", None, True), ("less", "-i", False), ("less", "-iR", True), ("more", None, False)],
)
def test_show_pages_with_colour_only_where_the_pager_shows_it(
    tmp_path: Path, pager: str, less: str | None, colour: bool
) -> None:
    """A pager given colour codes it does not interpret prints them raw (`ESC[1;4m`): less
    without -R. As git does, LESS gets FRX when unset; otherwise the text goes plain."""
    bin_dir = tmp_path / "bin"
    _fake_pager(bin_dir, pager)
    changes: dict[str, str | None] = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "LESS": less, "PAGER": None}
    if pager != "less":
        changes["PAGER"] = pager
    run_in_terminal(["--show", "--lesson", "cors-headers"], 80, 24, env_changes=changes)
    given = (bin_dir / "input").read_text()
    assert "Your steps" in given
    assert ("\x1b[" in given) is colour, given[:300]
    if pager == "less" and less is None:
        assert "R" in (bin_dir / "less_env").read_text()


def test_banner_says_passed_after_the_lesson_passes(course_copy: Path) -> None:
    exercise = course_copy / "exercise/cors-headers/main.py"
    exercise.write_text((course_copy / "solution/cors-headers/main.py").read_text())
    env = {"GRADER_COURSE": str(course_copy)}
    first = run_grade(cwd=course_copy / "exercise/cors-headers", env=env)
    assert first.code == 0, first.stdout
    assert "(your current lesson)" not in first.stdout and "(passed; your current lesson is 2)" in first.stdout
    again = run_grade(cwd=course_copy / "exercise/cors-headers", env=env)
    assert "this is the last one" not in again.stdout and "(passed; your current lesson is 2)" in again.stdout


@pytest.mark.parametrize("rows", [24, 27, 28])
def test_watch_never_ends_a_block_on_a_line_that_introduces_a_command(tmp_path: Path, rows: int) -> None:
    exercise = tmp_path / "main.py"
    exercise.write_text((SUBMISSIONS / "cors-headers/malformed/auth_middleware_outermost.py").read_text())
    raw = run_in_terminal(["--watch", str(exercise), "--lesson", "cors-headers"], 80, rows, until="Watching")
    lines = [line for line in plain_lines(raw[raw.rindex("\x1b[H") :]) if line.strip()]
    for index, line in enumerate(lines[:-1]):
        if line.rstrip().endswith("run:"):
            assert lines[index + 1].strip().startswith("curl"), "\n".join(lines)


def test_watch_pass_screen_says_how_to_go_on_from_watch(course_copy: Path) -> None:
    exercise = course_copy / "exercise/cors-headers/main.py"  # the lesson's own file: progress counts
    exercise.write_text((course_copy / "solution/cors-headers/main.py").read_text())
    raw = run_in_terminal(
        ["--watch", str(exercise), "--lesson", "cors-headers"], 80, 24, until="Watching",
        env_changes={"GRADER_COURSE": str(course_copy)},
    )
    text = " ".join(" ".join(plain_lines(raw[raw.rindex("\x1b[H") :])).split())
    assert "steps pass" in text
    lessons = [folder for folder in (course_copy / "lessons").iterdir() if (folder / "lesson.toml").exists()]
    if len(lessons) > 1:  # a next lesson to announce
        assert "run grade to start it" not in text and "Ctrl-C, then run grade --watch" in text, text
